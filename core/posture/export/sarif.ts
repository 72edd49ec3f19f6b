import type { Severity } from '../../model/severity.ts';
import type { CheckMetadata, CheckResult } from '../check.ts';
import type { AuditReport } from '../report.ts';
import { isNotApplicable, NOT_APPLICABLE } from '../results.ts';
import { objectLabel } from './markdown.ts';
import { ARRAY_PLACEHOLDER, documentChunks } from './stream.ts';

/** Where a result's file is, as SARIF says it: relative to SRCROOT, or an absolute `file:` URI. */
export interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifOptions {
  toolVersion?: string;
  /**
   * The `file:` URI (ending in `/`) of the directory artifact URIs are relative to (`--sarif-root`,
   * default the working directory), declared as `originalUriBaseIds.SRCROOT`.
   */
  srcRoot?: string;
  /** A result's file as an artifact location; default: the path as given, relative to SRCROOT. */
  artifact?: (file: string) => ArtifactLocation;
}

/** The base id artifact URIs are relative to. */
export const SRCROOT = 'SRCROOT';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVELS: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub code scanning ranks alerts by this CVSS-like number (critical ≥ 9, high ≥ 7, medium ≥ 4). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

/** FNV-1a, 64 bits, hex: a stable fingerprint without a crypto dependency in core/. */
export function fingerprint(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** A relative file path as a SARIF URI reference (forward slashes, percent-encoded). */
export function fileUri(file: string): string {
  return encodeURI(file.replaceAll('\\', '/')).replaceAll('#', '%23').replaceAll('?', '%3F');
}

/** SARIF rule names are identifiers: `No privileged containers` → `NoPrivilegedContainers`. */
export function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => `${word[0]?.toUpperCase()}${word.slice(1)}`)
    .join('');
}

function rule(check: CheckMetadata) {
  const references = [
    check.cis.length > 0 ? `CIS Amazon EKS Benchmark v1.8.0 ${check.cis.join(', ')}` : undefined,
    check.pss === undefined ? undefined : `Pod Security Standards (${check.pss})`,
  ].filter((text) => text !== undefined);
  const text = `${check.title}. ${references.join('; ')}${references.length > 0 ? '. ' : ''}Remediation: ${check.remediation}`;
  return {
    id: check.id,
    name: ruleName(check.title),
    shortDescription: { text: check.title },
    fullDescription: { text },
    help: { text, markdown: `**${check.title}**\n\n${references.join('  \n')}\n\n${check.remediation}` },
    defaultConfiguration: { level: LEVELS[check.severity] },
    properties: {
      tags: ['security', 'kubernetes', check.category, ...check.cis.map((s) => `CIS-EKS-${s}`)],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[check.severity],
      severity: check.severity,
    },
  };
}

function relativeArtifact(file: string): ArtifactLocation {
  return { uri: fileUri(file), uriBaseId: SRCROOT };
}

function location(result: CheckResult, artifact: (file: string) => ArtifactLocation) {
  const logicalLocations = [
    { name: result.object.name, fullyQualifiedName: objectLabel(result.object), kind: 'resource' },
  ];
  if (result.file === undefined) return { logicalLocations };
  return {
    physicalLocation: {
      artifactLocation: artifact(result.file),
      region: { startLine: result.line ?? 1 },
    },
    logicalLocations,
  };
}

function sarifResult(
  result: CheckResult,
  ruleIndex: ReadonlyMap<string, number>,
  artifact: (file: string) => ArtifactLocation,
) {
  return {
    ruleId: result.checkId,
    ruleIndex: ruleIndex.get(result.checkId) ?? -1,
    level: LEVELS[result.severity],
    message: { text: `${objectLabel(result.object)}: ${result.message}` },
    locations: [location(result, artifact)],
    partialFingerprints: {
      'kubeguardObject/v1': fingerprint(
        `${result.checkId}|${objectLabel(result.object)}|${result.file ?? ''}`,
      ),
    },
    properties: {
      severity: result.severity,
      remediation: result.remediation,
      evidence: result.evidence ?? {},
    },
  };
}

/** The run without its results (ARRAY_PLACEHOLDER in their place, or the given array). */
function sarifSkeleton<R>(report: AuditReport, options: SarifOptions, results: R) {
  const srcRoot =
    options.srcRoot === undefined
      ? { description: { text: 'The directory kubeguard audit ran in' } }
      : { uri: options.srcRoot };
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'kubeguard',
            semanticVersion: options.toolVersion ?? '0.1.0',
            rules: report.checks.map(rule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: srcRoot },
        results,
        properties: {
          cluster: report.cluster,
          takenAt: report.takenAt,
          score: report.score,
          summary: report.summary,
          // Checks with nothing to look at: SARIF results are findings, so they are listed here.
          notApplicable: report.results
            .filter(isNotApplicable)
            .map((r) => ({ checkId: r.checkId, reason: r.message.slice(NOT_APPLICABLE.length) })),
          ...(report.input === undefined ? {} : { input: report.input }),
        },
      },
    ],
  };
}

function failures(report: AuditReport): Iterable<CheckResult> {
  return report.results.filter((result) => result.status === 'fail');
}

/** SARIF 2.1.0 for code-scanning UIs: one rule per check, one result per failure. */
export function sarifReport(report: AuditReport, options: SarifOptions = {}) {
  const ruleIndex = new Map(report.checks.map((check, index) => [check.id, index]));
  const artifact = options.artifact ?? relativeArtifact;
  const results = [...failures(report)].map((result) => sarifResult(result, ruleIndex, artifact));
  return sarifSkeleton(report, options, results);
}

/** The SARIF document in pieces, one result per line. */
export function* sarifChunks(report: AuditReport, options: SarifOptions = {}): Generator<string> {
  const ruleIndex = new Map(report.checks.map((check, index) => [check.id, index]));
  const artifact = options.artifact ?? relativeArtifact;
  yield* documentChunks(sarifSkeleton(report, options, ARRAY_PLACEHOLDER), failures(report), (result) =>
    sarifResult(result, ruleIndex, artifact),
  );
}

export function toSarif(report: AuditReport, options?: SarifOptions): string {
  return [...sarifChunks(report, options)].join('');
}
