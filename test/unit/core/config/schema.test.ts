import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterNotConfigured, parseConfig } from '../../../../core/config/schema.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { ConfigError } from '../../../../core/errors.ts';

const minimal = {
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: '#alerts' },
};

describe('kubeguard.config.json', () => {
  it('accepts the repository example', () => {
    const raw = JSON.parse(
      readFileSync(new URL('../../../../kubeguard.config.json', import.meta.url), 'utf8'),
    );
    expect(parseConfig(raw).clusters[0]?.name).toBe('prod-cluster');
  });

  it('fills every default, including the audit log group and the detection defaults', () => {
    const config = parseConfig(minimal);
    expect(config.clusters[0]?.auditLogGroup).toBe('/aws/eks/prod-cluster/cluster');
    expect(config.slack.routes).toEqual([]);
    expect(config.detection.denialBurst).toEqual(DEFAULT_DETECTION_CONFIG.denialBurst);
    expect(config.detection.imageAllowLists['KD-001']).toContain('falcosecurity/falco');
    expect(config.detection.allowedUsers).toBeUndefined();
  });

  it('defaults routes to medium and above and the GuardDuty join window to 15 minutes', () => {
    const config = parseConfig({
      ...minimal,
      slack: { ...minimal.slack, routes: [{ namespace: 'kube-system', channel: '#platform' }] },
    });
    expect(config.slack.routes[0]?.minSeverity).toBe('medium');
    expect(config.incidents).toEqual({ joinWindowMinutes: 15 });
    expect(
      parseConfig({ ...minimal, incidents: { joinWindowMinutes: 30 } }).incidents.joinWindowMinutes,
    ).toBe(30);
  });

  it('names the bad join window and the allowed range', () => {
    expect(() => parseConfig({ ...minimal, incidents: { joinWindowMinutes: 2000 } })).toThrow(
      'incidents.joinWindowMinutes: must be a whole number of minutes from 0 to 1440 (a day)',
    );
    expect(() => parseConfig({ ...minimal, incidents: { joinWindowMinutes: 1.5 } })).toThrow(
      /incidents\.joinWindowMinutes/,
    );
  });

  it('is frozen, so no code can change configuration at run time', () => {
    const config = parseConfig(minimal);
    expect(Object.isFrozen(config.detection.rules)).toBe(true);
    expect(() => {
      (config.clusters as unknown as { name: string }[]).push({ name: 'x' });
    }).toThrow();
  });

  it('passes the optional allow-lists of the configuration-driven rules through', () => {
    const config = parseConfig({
      ...minimal,
      detection: { allowedUsers: ['alice'], allowedRegistries: ['123.dkr.ecr'] },
    });
    expect(config.detection.allowedUsers).toEqual(['alice']);
    expect(config.detection.allowedRegistries).toEqual(['123.dkr.ecr']);
  });

  it('names the field and what is wrong with it', () => {
    const bad = { ...minimal, clusters: [{ name: 'prod', region: 'mars' }] };
    expect(() => parseConfig(bad, 'kubeguard.config.json')).toThrow(ConfigError);
    expect(() => parseConfig(bad, 'kubeguard.config.json')).toThrow(
      /invalid kubeguard\.config\.json: clusters\.0\.region: must be an AWS region/,
    );
  });

  it('rejects a cluster listed twice and an unknown rule id', () => {
    expect(() => parseConfig({ ...minimal, clusters: [minimal.clusters[0], minimal.clusters[0]] })).toThrow(
      /cluster "prod-cluster" is listed twice/,
    );
    expect(() => parseConfig({ ...minimal, detection: { rules: { 'KD-1': { enabled: false } } } })).toThrow(
      /detection\.rules\.KD-1/,
    );
  });

  it('lists the configured clusters when an unknown one is asked for', () => {
    expect(clusterNotConfigured('prod-eu', parseConfig(minimal)).message).toBe(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster — add it to kubeguard.config.json',
    );
  });
});

describe('remediation waits and cooldown in kubeguard.config.json', () => {
  it('holds a secret for 15 minutes per rotation and waits 180 s for rollouts by default', () => {
    expect(parseConfig(minimal).remediation).toMatchObject({
      rotationCooldownMinutes: 15,
      rolloutWaitSeconds: 180,
    });
  });

  it('takes other values within their ranges', () => {
    const config = parseConfig({
      ...minimal,
      remediation: { rotationCooldownMinutes: 60, rolloutWaitSeconds: 0 },
    });
    expect(config.remediation).toMatchObject({ rotationCooldownMinutes: 60, rolloutWaitSeconds: 0 });
  });

  it.each([
    [
      { rotationCooldownMinutes: 0 },
      'remediation.rotationCooldownMinutes: must be a whole number of minutes from 1 to 1440 (a day)',
    ],
    [
      { rotationCooldownMinutes: 2.5 },
      'remediation.rotationCooldownMinutes: must be a whole number of minutes from 1 to 1440 (a day)',
    ],
    [
      { rolloutWaitSeconds: 900 },
      'remediation.rolloutWaitSeconds: must be a whole number of seconds from 0 to 600',
    ],
  ])('names a value out of range: %o', (remediation, message) => {
    expect(() => parseConfig({ ...minimal, remediation }, 'kubeguard.config.json')).toThrow(message);
  });
});
