import { describe, expect, it } from 'vitest';
import { kp060 } from '#core/posture/checks/kp-060-privileged.ts';
import { kp086 } from '#core/posture/checks/kp-086-approved-registries.ts';
import { kp103 } from '#core/posture/checks/kp-103-node-port.ts';
import { runAudit } from '#core/posture/engine.ts';
import { csvField, toCsv } from '#core/posture/export/csv.ts';
import { jsonReport } from '#core/posture/export/json.ts';
import { mdCell, toMarkdown } from '#core/posture/export/markdown.ts';
import { SARIF_SCHEMA, sarifReport } from '#core/posture/export/sarif.ts';
import { terminalSafe, toText } from '#core/posture/export/text.ts';
import { corpusSnapshot, variant } from '../support.ts';

const CHECKS = [kp060, kp086, kp103];
const report = runAudit(corpusSnapshot('m29.yaml', 'm27.yaml', 'm28.yaml'), CHECKS);

/** m29's Pod renamed by an attacker: a formula, a pipe, HTML and a terminal escape in one name. */
const HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")|<img src=x>\u001b[2J';
const hostileReport = runAudit(
  variant('m29.yaml', (pod) => {
    (pod.metadata as Record<string, unknown>).name = HOSTILE_NAME;
  }),
  CHECKS,
);

describe('JSON export', () => {
  it('has the CLI schema: score, summary and results with object, file, message, remediation', () => {
    const json = jsonReport(report);

    expect(json.summary).toEqual({ pass: 1, fail: 2, skip: 1 });
    expect(json.results[0]).toEqual({
      checkId: 'KP-060',
      status: 'fail',
      severity: 'critical',
      object: { kind: 'Pod', name: 'pod-test-1' },
      file: 'm29.yaml',
      line: 1,
      message: 'spec.containers[0].securityContext.privileged is true (container "foobar")',
      remediation: kp060.remediation,
      evidence: { 'spec.containers[0].securityContext.privileged': 'true' },
    });
    expect(json.results.find((r) => r.checkId === 'KP-103')?.object).toEqual({
      kind: 'Service',
      namespace: 'foospace',
      name: 'node-port-service',
    });
    expect(typeof json.score).toBe('number');
  });
});

describe('CSV export', () => {
  it('quotes per RFC 4180 and ends rows with CRLF', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
    expect(toCsv(report).split('\r\n')[0]).toBe(
      'checkId,title,status,severity,category,core,cis,pss,kind,namespace,name,file,line,message,evidence,remediation',
    );
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t'])
      expect(csvField(`${start}1+1`).startsWith(`'${start}`)).toBe(true);
    expect(toCsv(hostileReport)).toContain(
      `"'=HYPERLINK(""http://evil.example"",""x"")|<img src=x>\u001b[2J"`,
    );
  });

  it('has one row per result', () => {
    expect(toCsv(report).trimEnd().split('\r\n')).toHaveLength(1 + report.results.length);
  });
});

describe('SARIF export', () => {
  const sarif = sarifReport(report);
  const run = sarif.runs[0];

  it('is SARIF 2.1.0 with the schema URI and one rule per check', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(['KP-060', 'KP-086', 'KP-103']);
    expect(run?.tool.driver.rules[0]?.help.text).toContain(kp060.remediation);
  });

  it('reports failures only, with levels by severity, file locations and fingerprints', () => {
    expect(run?.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['KP-060', 'error'],
      ['KP-103', 'warning'],
    ]);
    expect(run?.results[0]?.locations[0]).toMatchObject({
      physicalLocation: {
        artifactLocation: { uri: 'm29.yaml', uriBaseId: 'SRCROOT' },
        region: { startLine: 1 },
      },
    });
    expect(run?.results[0]?.partialFingerprints['kubeguardObject/v1']).toMatch(/^[0-9a-f]{16}$/);
    expect(run?.results[0]?.ruleIndex).toBe(0);
  });

  it('keeps fingerprints stable across runs', () => {
    const again = sarifReport(runAudit(corpusSnapshot('m29.yaml', 'm27.yaml', 'm28.yaml'), CHECKS));

    expect(again.runs[0]?.results.map((r) => r.partialFingerprints)).toEqual(
      run?.results.map((r) => r.partialFingerprints),
    );
  });
});

describe('Markdown export', () => {
  it('has the score, the failures by severity and the per-CIS table', () => {
    const markdown = toMarkdown(report);

    expect(markdown).toContain(`**Score ${report.score}/100**`);
    expect(markdown).toContain('### Critical (1)');
    expect(markdown).toContain('| 4.2.1 | 0 | 1 | 0 |');
    expect(markdown).toContain(
      'KP-086 Images from approved registries only: skipped: no approved registries',
    );
  });

  it('escapes table breakers and HTML from object names', () => {
    expect(mdCell('a|b <script> *x*\nnext')).toBe('a\\|b &lt;script&gt; \\*x\\* next');
    const markdown = toMarkdown(hostileReport);
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('\\|&lt;img src=x&gt;');
  });
});

describe('text output', () => {
  it('summarises, groups failures by severity and lists skips with their reason', () => {
    const text = toText(report);

    expect(text).toContain(`score ${report.score}/100`);
    expect(text).toContain('CRITICAL (1)\n  KP-060 No privileged containers — Pod/pod-test-1 (m29.yaml:1)');
    expect(text).toContain('MEDIUM (1)');
    expect(text).toContain('KP-086: skipped: no approved registries configured');
  });

  it('separates thousands in the counts, in text and Markdown', () => {
    const large = { ...report, summary: { pass: 323_124, fail: 73_611, skip: 31 } };

    expect(toText(large)).toContain('  323,124 passed, 73,611 failed, 31 skipped');
    expect(toMarkdown(large)).toContain('— 323,124 passed, 73,611 failed, 31 skipped');
  });

  it('neutralises terminal escape sequences from manifests', () => {
    expect(terminalSafe('a\u001b[2Jb\r')).toBe('a?[2Jb?');
    expect(toText(hostileReport)).not.toContain('\u001b');
  });
});

describe('SARIF rule names', () => {
  it('are identifiers derived from the check titles', () => {
    expect(sarifReport(report).runs[0]?.tool.driver.rules[0]?.name).toBe('NoPrivilegedContainers');
  });
});
