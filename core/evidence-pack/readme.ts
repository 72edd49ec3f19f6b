import { escapeMarkdown } from './escape.ts';
import type { EvidencePackRequest } from './model.ts';
import { FRAMEWORK_NAMES } from './summary.ts';

export interface ReadmeFacts {
  id: string;
  request: EvidencePackRequest;
  clusters: readonly string[];
  runs: number;
  findings: number;
  actions: number;
  suppressions: number;
}

/** The pack's README.md: what it is, for which period, what each file holds and how to verify it. */
export function packReadme(facts: ReadmeFacts): string {
  const md = escapeMarkdown;
  const { request } = facts;
  return `# kubeguard evidence pack ${md(facts.id)}

Compliance evidence for Amazon EKS clusters, collected by kubeguard. Everything in it is plain
JSON, JSON Lines, Markdown or HTML: no kubeguard is needed to read it.

- Period: ${md(request.period.from)} (included) to ${md(request.period.to)} (excluded)
- Clusters: ${facts.clusters.length === 0 ? 'none' : facts.clusters.map(md).join(', ')}
- Frameworks: ${request.frameworks.length === 0 ? 'none' : request.frameworks.map((f) => md(FRAMEWORK_NAMES[f])).join('; ')}
- Generated: ${md(request.generatedAt)}, requested by ${md(request.requestedBy)}
- Records: ${facts.runs} posture runs, ${facts.findings} findings, ${facts.actions} remediation actions, ${facts.suppressions} suppressions in force at the end

## Files

- \`summary/<framework>.md\`, \`.html\`, \`.json\`: per control, the evidence of the period (check
  results, findings, actions), the gaps (no evidence; checks failing at each cluster's last run) and
  the exceptions (suppressions). The counts are counts of the records below.
- \`posture/runs.jsonl\`: one line per posture audit run (cluster, time, score, counts, its files).
- \`posture/<cluster>/<time>/report.json\`: the audit report (kubeguard's JSON report format).
- \`posture/<cluster>/<time>/snapshot.json\`: the configuration the report was computed from, with
  every Secret value, container environment value, credential-like ConfigMap value, credential on a
  container command line (\`--db-password=…\`, \`PGPASSWORD=…\`, a URL's password), credential-named
  annotation and last-applied-configuration value replaced by \`[redacted]\` (names and keys kept).
- \`findings.jsonl\`: each finding open at some time of the period: severity, rules, cluster, target,
  first and last seen, its status at the start and the end, and every status change of the period
  (acknowledged, suppressed, remediated, resolved, reopened) with when and by whom.
- \`actions.jsonl\`: each remediation request of the period (run, approval asked, approved or
  denied): plan, reason, approver, outcome, and its audit-trail records.
- \`audit-trail.jsonl\`: every audit-trail record of the period (who asked kubeguard to do what).
- \`suppressions.json\`: the suppressions in force at the end of the period: reason, who, until.
- \`SHA256SUMS\`: the SHA-256 of every file above, in the format of \`sha256sum\`.
- \`manifest.json\`: the pack's id, request and every file (SHA256SUMS included) with its SHA-256
  and size.

Times are ISO-8601 UTC. Free texts people typed (reasons) are kept, with AWS access keys and private
keys in them replaced by \`[redacted]\`.

## How to verify

1. Check the manifest: its SHA-256 (\`sha256sum manifest.json\`) must equal the one kubeguard
   reported when it stored the pack (the Slack message, the CLI output, the stored
   \`<packId>.manifest.json\` beside the archive in the evidence bucket).
2. Check every file against the checksums:

       sha256sum -c SHA256SUMS

   Every line must say \`OK\`. On macOS: \`shasum -a 256 -c SHA256SUMS\`.
3. Check that SHA256SUMS is the one the manifest lists:

       grep -A1 '"path": "SHA256SUMS"' manifest.json; sha256sum SHA256SUMS

A file changed, added or removed after the pack was built fails step 2 or 3.
`;
}
