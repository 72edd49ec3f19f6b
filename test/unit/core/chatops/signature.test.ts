import { describe, expect, it } from 'vitest';
import { replayKey, slackSignature, verifySlackSignature } from '../../../../core/chatops/signature.ts';
import { readFixtureFile } from '../../../support/fixtures.ts';

/** The signing secret Slack's documentation uses, which signed the fixtures. */
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

interface SignedFixture {
  headers: Record<string, string>;
  rawBody: string;
}

function fixture(name: string): SignedFixture {
  return readFixtureFile(name) as unknown as SignedFixture;
}

describe('Slack request signatures', () => {
  it.each(['slack-slash-command.json', 'slack-block-actions.json', 'slack-view-submission.json'])(
    'accepts the signature Slack computed for %s, at its timestamp',
    (name) => {
      const { headers, rawBody } = fixture(name);
      const timestamp = headers['X-Slack-Request-Timestamp'] ?? '';

      const verdict = verifySlackSignature(
        { signature: headers['X-Slack-Signature'], timestamp, rawBody: Buffer.from(rawBody, 'utf8') },
        SECRET,
        Number(timestamp) + 10,
      );

      expect(verdict).toEqual({ ok: true, timestamp: Number(timestamp) });
    },
  );

  it('signs the raw bytes: a body with non-ASCII characters verifies only as the exact bytes received', () => {
    const { rawBody } = fixture('slack-slash-command.json');
    const body = Buffer.from(`${rawBody}&extra=Grüße — ü`, 'utf8');
    const timestamp = '1715787000';
    const signature = slackSignature(SECRET, timestamp, body);

    expect(verifySlackSignature({ signature, timestamp, rawBody: body }, SECRET, 1715787000)).toEqual({
      ok: true,
      timestamp: 1715787000,
    });
    // Bolt's AwsLambdaReceiver decodes base64 bodies as ASCII, which changes these bytes.
    const asciiRoundTrip = Buffer.from(body.toString('ascii'), 'utf8');
    expect(
      verifySlackSignature({ signature, timestamp, rawBody: asciiRoundTrip }, SECRET, 1715787000),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses a body changed after signing, and a signature made with another secret', () => {
    const { headers, rawBody } = fixture('slack-slash-command.json');
    const timestamp = headers['X-Slack-Request-Timestamp'] ?? '';
    const now = Number(timestamp);

    const altered = Buffer.from(rawBody.replace('text=Hi', 'text=ack+0123456789abcdef'), 'utf8');
    expect(
      verifySlackSignature(
        { signature: headers['X-Slack-Signature'], timestamp, rawBody: altered },
        SECRET,
        now,
      ),
    ).toEqual({ ok: false, reason: 'mismatch' });
    const forged = slackSignature('not-the-signing-secret', timestamp, rawBody);
    expect(
      verifySlackSignature({ signature: forged, timestamp, rawBody: Buffer.from(rawBody) }, SECRET, now),
    ).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses requests more than five minutes old or ahead, whatever their signature', () => {
    const { rawBody } = fixture('slack-block-actions.json');
    const timestamp = '1715787000';
    const signature = slackSignature(SECRET, timestamp, rawBody);
    const request = { signature, timestamp, rawBody: Buffer.from(rawBody) };

    expect(verifySlackSignature(request, SECRET, 1715787000 + 300).ok).toBe(true);
    expect(verifySlackSignature(request, SECRET, 1715787000 + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackSignature(request, SECRET, 1715787000 - 301)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses missing and malformed headers without computing anything', () => {
    const rawBody = Buffer.from('payload=%7B%7D');

    expect(
      verifySlackSignature({ signature: undefined, timestamp: '1715787000', rawBody }, SECRET, 1715787000),
    ).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature({ signature: 'v0=abc', timestamp: '', rawBody }, SECRET, 1715787000)).toEqual(
      { ok: false, reason: 'missing' },
    );
    expect(
      verifySlackSignature(
        { signature: `v1=${'a'.repeat(64)}`, timestamp: '1715787000', rawBody },
        SECRET,
        1715787000,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
    expect(
      verifySlackSignature(
        { signature: `v0=${'a'.repeat(63)}`, timestamp: '1715787000', rawBody },
        SECRET,
        1715787000,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
    expect(
      verifySlackSignature(
        { signature: `v0=${'a'.repeat(64)}`, timestamp: '1715787000.5', rawBody },
        SECRET,
        1715787000,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
  });

  it('remembers a request by a hash of its signature, never the signature itself', () => {
    const signature = `v0=${'ab'.repeat(32)}`;

    const key = replayKey(signature);

    expect(key).toMatch(/^replay:[0-9a-f]{64}$/);
    expect(key).not.toContain('abab');
    expect(replayKey(signature)).toBe(key);
    expect(replayKey(`v0=${'ac'.repeat(32)}`)).not.toBe(key);
  });
});
