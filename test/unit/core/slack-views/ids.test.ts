import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireName } from '#core/remediation/kube-objects.ts';
import { requireQuarantineId } from '#core/remediation/quarantine.ts';
import { ACTION_METADATA } from '#core/remediation/registry.ts';
import { ACTION_WORDS } from '#core/slack-views/actions.ts';
import { ALERT_ACTION_IDS as FROM_ALERT } from '#core/slack-views/alert.ts';
import {
  ALERT_ACTION_IDS,
  actionOfConfirmCallback,
  CONFIRM_CALLBACK_IDS,
  encodeConfirmReference,
  encodeReleaseValue,
  parseApprovalValue,
  parseConfirmReference,
  parseReleaseValue,
  SLACK_ACTION_IDS,
  SLACK_CALLBACK_IDS,
} from '#core/slack-views/ids.ts';

describe('action and callback ids', () => {
  it('are distinct across every view, and the alert keeps exporting its own', () => {
    const actions = Object.values(SLACK_ACTION_IDS);
    expect(new Set(actions).size).toBe(actions.length);
    const callbacks = [...Object.values(CONFIRM_CALLBACK_IDS), ...Object.values(SLACK_CALLBACK_IDS)];
    expect(new Set(callbacks).size).toBe(callbacks.length);
    expect(FROM_ALERT).toBe(ALERT_ACTION_IDS);
    expect(SLACK_ACTION_IDS).toMatchObject({
      isolatePod: 'isolate_pod',
      releasePod: 'release_pod',
      approve: 'approval_approve',
      deny: 'approval_deny',
      auditDetails: 'audit_details',
    });
  });

  it('maps each confirmation callback back to its action, and nothing else', () => {
    for (const [action, callback] of Object.entries(CONFIRM_CALLBACK_IDS)) {
      expect(actionOfConfirmCallback(callback)).toBe(action);
    }
    expect(actionOfConfirmCallback('audit_details')).toBeUndefined();
    expect(actionOfConfirmCallback('view-id')).toBeUndefined();
  });

  it('name every action as its metadata does', () => {
    expect(Object.keys(ACTION_WORDS).sort()).toEqual(ACTION_METADATA.map((m) => m.id).sort());
    for (const metadata of ACTION_METADATA) {
      expect(ACTION_WORDS[metadata.id].title).toBe(metadata.title);
      const undoneBy = metadata.undoneBy;
      expect(
        ACTION_WORDS[metadata.id].undo.startsWith(
          `${undoneBy ? ACTION_WORDS[undoneBy].title : ''} undoes it`,
        ),
      ).toBe(undoneBy !== undefined);
    }
    for (const words of Object.values(ACTION_WORDS)) {
      expect(`Confirm: ${words.title}`.length).toBeLessThanOrEqual(24);
    }
  });
});

describe('references in button values and private_metadata', () => {
  it('round-trips a Release value and refuses what is not one', () => {
    const value = {
      fp: '3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f',
      c: 'prod',
      ns: 'shop',
      p: 'web-5cdcc99dbf-rgw6z',
      q: 'q1',
    };
    expect(parseReleaseValue(encodeReleaseValue(value))).toEqual(value);
    expect(parseReleaseValue(encodeReleaseValue({ ns: 'shop', p: 'web', q: 'q1' }))).toEqual({
      ns: 'shop',
      p: 'web',
      q: 'q1',
    });
    expect(parseReleaseValue(JSON.stringify({ ...value, p: '<!channel>' }))).toBeUndefined();
    expect(parseReleaseValue(JSON.stringify({ ...value, q: 'Q1' }))).toBeUndefined();
    expect(parseReleaseValue(JSON.stringify({ ...value, c: 'prod cluster' }))).toBeUndefined();
    expect(parseReleaseValue('click_me_123')).toBeUndefined();
    expect(parseReleaseValue('[]')).toBeUndefined();
  });

  it('accepts exactly the names and quarantine ids remediation accepts', () => {
    const accepts = (validate: (value: string) => unknown, value: string) => {
      try {
        validate(value);
        return true;
      } catch {
        return false;
      }
    };
    const name = fc.oneof(
      fc.stringMatching(/^[a-z0-9][-a-z0-9.]{0,20}[a-z0-9]$/),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('a', '-a', 'a-', 'A', 'a'.repeat(253), 'a'.repeat(254), 'q'.repeat(40), 'q'.repeat(41)),
    );
    fc.assert(
      fc.property(name, (value) => {
        const parsed = parseReleaseValue(JSON.stringify({ ns: value, p: value, q: 'q1' }));
        expect(parsed !== undefined).toBe(accepts((v) => requireName(v, 'pod'), value));
        const quarantine = parseReleaseValue(JSON.stringify({ ns: 'shop', p: 'web', q: value }));
        expect(quarantine !== undefined).toBe(accepts(requireQuarantineId, value));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the confirmation reference within 3000 characters, dropping the target first', () => {
    const arn = `arn:aws:secretsmanager:us-west-2:123456789012:secret:${'x'.repeat(1990)}`;
    const reference = {
      r: 'r'.repeat(128),
      a: 'rotate-secret' as const,
      fp: 'f'.repeat(64),
      c: 'c'.repeat(100),
      t: arn,
    };
    expect(parseConfirmReference(encodeConfirmReference(reference))).toEqual(reference);
    // The longest valid reference fits; only a target no secret id can be is ever dropped.
    expect(encodeConfirmReference(reference).length).toBeLessThanOrEqual(3000);
    const encoded = encodeConfirmReference({ ...reference, t: 'y'.repeat(3000) });
    expect(encoded.length).toBeLessThanOrEqual(3000);
    expect(parseConfirmReference(encoded)).toEqual({
      r: reference.r,
      a: 'rotate-secret',
      fp: reference.fp,
      c: reference.c,
    });
  });

  it('refuses confirmation references and approval values kubeguard did not write', () => {
    expect(parseConfirmReference('This is for you!')).toBeUndefined();
    expect(parseConfirmReference(JSON.stringify({ r: 'req 1', a: 'isolate-pod' }))).toBeUndefined();
    expect(parseConfirmReference(JSON.stringify({ r: 'req-1', a: 'delete-cluster' }))).toBeUndefined();
    expect(
      parseConfirmReference(JSON.stringify({ r: 'req-1', a: 'isolate-pod', fp: 'XYZ' })),
    ).toBeUndefined();
    expect(parseApprovalValue(JSON.stringify({ r: 'req-1' }))).toEqual({ r: 'req-1' });
    expect(parseApprovalValue(JSON.stringify({ r: '' }))).toBeUndefined();
    expect(
      parseApprovalValue(
        JSON.stringify({ r: 'r-0123456789abcdef', a: 'rotate-secret', c: 'prod', u: 'U0ADMIN' }),
      ),
    ).toEqual({ r: 'r-0123456789abcdef', a: 'rotate-secret', c: 'prod', u: 'U0ADMIN' });
    expect(parseApprovalValue(JSON.stringify({ r: 'req-1', a: 'delete-cluster' }))).toBeUndefined();
    expect(parseApprovalValue(JSON.stringify({ r: 'req-1', c: 'prod cluster' }))).toBeUndefined();
    expect(parseApprovalValue(JSON.stringify({ r: 'req-1', u: '<@U0ADMIN>' }))).toBeUndefined();
  });
});
