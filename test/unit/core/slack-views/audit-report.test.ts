import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import type { AuditReport } from '#core/posture/report.ts';
import {
  AUDIT_ACTION_IDS,
  auditDetailsPageCount,
  auditReportRef,
  buildAuditDetailsView,
  buildAuditSummaryMessage,
  type PreviousAudit,
  parseAuditDetailsPage,
  parseAuditReportRef,
} from '#core/slack-views/audit-report.ts';
import {
  type ActionsBlock,
  type Block,
  type ModalView,
  type SectionBlock,
  validateBlockKitMessage,
  validateBlockKitView,
} from '#core/slack-views/blocks.ts';
import { generatedCluster } from '#test/support/generated-cluster.ts';
import { corpusSnapshot } from '../posture/support.ts';

/** A 5,000-object cluster audit: tens of thousands of failures across 40 checks, hostile names included. */
const LARGE: AuditReport = runAudit(generatedCluster(5_000));
const SMALL: AuditReport = runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml'));
const PREVIOUS: PreviousAudit = {
  score: LARGE.score - 4,
  summary: { ...LARGE.summary, fail: LARGE.summary.fail + 120 },
  takenAt: '2026-03-01T06:00:00.000Z',
};

function texts(blocks: readonly Block[]): string[] {
  return blocks.flatMap((block) => {
    if (block.type === 'section') return [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text)];
    if (block.type === 'context') return block.elements.map((e) => ('text' in e ? e.text : ''));
    if (block.type === 'header') return [block.text.text];
    return [];
  });
}

function byId<T extends Block>(blocks: readonly Block[], blockId: string): T {
  const found = blocks.find((block) => block.block_id === blockId);
  if (found === undefined) throw new Error(`no block ${blockId}`);
  return found as T;
}

function allPages(report: AuditReport): ModalView[] {
  return Array.from({ length: auditDetailsPageCount(report) }, (_, i) =>
    buildAuditDetailsView(report, i + 1),
  );
}

describe('audit summary message', () => {
  it('shows the score and its change since the last audit', () => {
    const message = buildAuditSummaryMessage(LARGE, PREVIOUS);

    const score = byId<SectionBlock>(message.blocks, 'audit_score').text?.text ?? '';
    expect(score).toContain(`*Score ${LARGE.score}/100* · ▲ 4 since the last audit`);
    expect(score).toContain('120 fewer failures');
    expect(message.text).toContain(`score ${LARGE.score}/100 (▲ 4 since the last audit)`);
  });

  it('says ▼ when the score dropped, and "first audit" without a previous one', () => {
    const dropped = buildAuditSummaryMessage(LARGE, { ...PREVIOUS, score: LARGE.score + 3 });
    const first = buildAuditSummaryMessage(LARGE);

    expect(texts(dropped.blocks).join('\n')).toContain('▼ 3 since the last audit');
    expect(byId<SectionBlock>(first.blocks, 'audit_score').text?.text).toContain('· first audit');
  });

  it('counts pass, fail and skip, and failures per category', () => {
    const message = buildAuditSummaryMessage(LARGE, PREVIOUS);

    const fields = byId<SectionBlock>(message.blocks, 'audit_score').fields?.map((f) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        `*Failed*\n${LARGE.summary.fail.toLocaleString('en-US')}`,
        `*Passed*\n${LARGE.summary.pass.toLocaleString('en-US')}`,
        `*Skipped*\n${LARGE.summary.skip.toLocaleString('en-US')}`,
      ]),
    );
    const rbac = LARGE.categories.rbac;
    expect(byId<SectionBlock>(message.blocks, 'audit_categories').fields?.map((f) => f.text)).toContainEqual(
      expect.stringContaining(`*RBAC*\n*${rbac?.fail.toLocaleString('en-US')} failed*`),
    );
  });

  it('lists the 5 most severe failing checks as top risks, with their failure counts', () => {
    const risks = byId<SectionBlock>(buildAuditSummaryMessage(LARGE).blocks, 'audit_top_risks').text?.text;

    const numbered = (risks ?? '').split('\n').filter((line) => /^\d\. /.test(line));
    const failing = [...new Set(LARGE.results.filter((r) => r.status === 'fail').map((r) => r.checkId))];
    expect(numbered.map((line) => /KP-\d{3}/.exec(line)?.[0])).toEqual(failing.slice(0, 5));
    const kp040 = LARGE.results.filter((r) => r.status === 'fail' && r.checkId === 'KP-040').length;
    expect(numbered[0]).toMatch(
      new RegExp(
        `^1\\. \\*\\[CRITICAL\\]\\* KP-040 .* · ${kp040.toLocaleString('en-US')} objects, first: ClusterRoleBinding \``,
      ),
    );
    expect(risks).toContain(`…and ${failing.length - 5} more failing checks in the details`);
  });

  it('escapes object names taken from the cluster', () => {
    const all = [buildAuditSummaryMessage(LARGE), ...allPages(LARGE)]
      .flatMap((view) => texts(view.blocks))
      .join('\n');

    expect(all).toContain('&lt;@U0ADMIN&gt;/&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0ADMIN>');
    expect(all).not.toContain('<https://evil.example');
  });

  it('links https evidence exports and shows local paths as text', () => {
    const message = buildAuditSummaryMessage(SMALL, undefined, {
      evidenceLinks: {
        json: 'https://console.aws.amazon.com/s3/object/kubeguard-evidence?prefix=audits%2Fprod-eu%2Freport.json',
        markdown: '/var/kubeguard/reports/prod-eu/report.md',
        csv: 'javascript:alert(1)|<!channel>',
      },
    });

    const evidence = texts([byId(message.blocks, 'audit_context')])
      .filter((text) => text.startsWith('Evidence:'))
      .join('');
    expect(evidence).toContain(
      '<https://console.aws.amazon.com/s3/object/kubeguard-evidence?prefix=audits%2Fprod-eu%2Freport.json|JSON>',
    );
    expect(evidence).toContain('Markdown `/var/kubeguard/reports/prod-eu/report.md`');
    expect(evidence).toContain('CSV `javascript:alert(1)|&lt;!channel&gt;`');
  });

  it('carries a report reference on "Show details", never report data', () => {
    const button = byId<ActionsBlock>(buildAuditSummaryMessage(LARGE).blocks, 'audit_actions').elements[0];

    expect(button?.action_id).toBe(AUDIT_ACTION_IDS.details);
    expect(parseAuditDetailsPage(button?.value ?? '')).toEqual({
      ref: 'prod-eu/2026-03-02T06:00:00.000Z',
      page: 1,
    });
    expect(parseAuditReportRef(auditReportRef(LARGE))).toEqual({
      cluster: 'prod-eu',
      takenAt: '2026-03-02T06:00:00.000Z',
    });
  });

  it('stays within Block Kit limits for a 5,000-object cluster', () => {
    expect(validateBlockKitMessage(buildAuditSummaryMessage(LARGE, PREVIOUS))).toEqual([]);
    expect(validateBlockKitMessage(buildAuditSummaryMessage(SMALL))).toEqual([]);
  });
});

describe('audit details modal', () => {
  const pages = allPages(LARGE);

  it('keeps every page of a 5,000-object cluster audit within Block Kit limits', () => {
    expect(pages.length).toBeGreaterThan(1);
    for (const view of pages) expect(validateBlockKitView(view)).toEqual([]);
  });

  it('holds only the report reference and the page in private_metadata', () => {
    expect(pages.map((view) => parseAuditDetailsPage(view.private_metadata ?? ''))).toEqual(
      pages.map((_, i) => ({ ref: auditReportRef(LARGE), page: i + 1 })),
    );
    expect(pages[0]?.title.text).toBe(`Audit 1/${pages.length}`);
  });

  it('links each page to the previous and the next one', () => {
    const buttons = (view: ModalView) =>
      view.blocks
        .filter((block): block is ActionsBlock => block.type === 'actions')
        .flatMap((block) => block.elements)
        .map((button) => [button.action_id, parseAuditDetailsPage(button.value ?? '')?.page]);

    expect(buttons(pages[0] as ModalView)).toEqual([[AUDIT_ACTION_IDS.nextPage, 2]]);
    expect(buttons(pages[1] as ModalView)).toEqual([
      [AUDIT_ACTION_IDS.previousPage, 1],
      [AUDIT_ACTION_IDS.nextPage, 3],
    ]);
    expect(buttons(pages.at(-1) as ModalView)).toEqual([[AUDIT_ACTION_IDS.previousPage, pages.length - 1]]);
  });

  it('reaches every failure, grouped by check with its remediation', () => {
    const listed = new Map<string, number>();
    let group = '';
    for (const text of pages.flatMap((view) => texts(view.blocks.slice(1)))) {
      const heading = /^\*(KP-\d{3}) /.exec(text);
      if (heading !== null) group = heading[1] as string;
      else if (text.startsWith('*Skipped*')) group = 'skipped';
      if (heading !== null && !text.includes('(continued)')) expect(text).toContain('\n*Fix:* ');
      const lines = text.split('\n').filter((line) => line.startsWith('• ')).length;
      if (group !== 'skipped') listed.set(group, (listed.get(group) ?? 0) + lines);
    }

    const expected = new Map<string, number>();
    for (const result of LARGE.results.filter((r) => r.status === 'fail')) {
      expected.set(result.checkId, (expected.get(result.checkId) ?? 0) + 1);
    }
    expect(listed).toEqual(expected);
  });

  it('clamps a page number out of range to the first or last page', () => {
    expect(buildAuditDetailsView(LARGE, 0).private_metadata).toBe(pages[0]?.private_metadata);
    expect(buildAuditDetailsView(LARGE, 10_000).private_metadata).toBe(pages.at(-1)?.private_metadata);
  });

  it('shows one page saying so when nothing failed or was skipped', () => {
    const clean: AuditReport = { ...SMALL, results: [], summary: { pass: 0, fail: 0, skip: 0 } };

    const view = buildAuditDetailsView(clean, 1);

    expect(auditDetailsPageCount(clean)).toBe(1);
    expect(texts(view.blocks).join('\n')).toContain('No failures');
    expect(view.blocks.some((block) => block.type === 'actions')).toBe(false);
  });
});

describe('parseAuditDetailsPage', () => {
  it.each([['not json'], ['{"r":"x"}'], ['{"r":"x","p":0}'], ['{"r":"","p":1}'], ['{"r":"x","p":1.5}']])(
    'rejects %s',
    (text) => {
      expect(parseAuditDetailsPage(text)).toBeUndefined();
    },
  );
});
