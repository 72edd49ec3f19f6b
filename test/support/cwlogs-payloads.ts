import { createGzip, gunzipSync } from 'node:zlib';
import { loadFixture } from './fixtures.ts';

/** The decoded envelope of the real CloudWatch Logs Lambda event fixture. */
export interface CloudWatchEnvelopeJson {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

/** The envelope inside test/fixtures/cwlogs-eks-audit-lambda-event.json, decoded as Lambda would. */
export function realCloudWatchEnvelope(): CloudWatchEnvelopeJson {
  const event = loadFixture<{ awslogs: { data: string } }>(
    'cwlogs-eks-audit-lambda-event.json',
    'lambdaEvent',
  );
  return JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
}

/** A log event entry of the real envelope whose message is `message` (same id and timestamp). */
export function realEntryWithMessage(message: string): string {
  const first = realCloudWatchEnvelope().logEvents[0];
  if (first === undefined) throw new Error('the CloudWatch Logs fixture has no log events');
  return JSON.stringify({ id: first.id, timestamp: first.timestamp, message });
}

/**
 * `{awslogs:{data}}` for the real envelope whose `logEvents` are `count` copies of `entry` (JSON
 * text), gzipped as a stream so that the inflated text — 150 MB for 1.4 M real-shaped entries — is
 * never held in memory at once.
 */
export async function repeatedEntriesEvent(
  entry: string,
  count: number,
  level = 9,
): Promise<{ awslogs: { data: string } }> {
  const { logEvents: _logEvents, ...rest } = realCloudWatchEnvelope();
  const head = `${JSON.stringify(rest).slice(0, -1)},"logEvents":[`;
  const gzip = createGzip({ level });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  gzip.write(head);
  const perChunk = Math.max(1, Math.floor((1024 * 1024) / (entry.length + 1)));
  const block = Buffer.from(`${entry},`.repeat(perChunk));
  let written = 0;
  while (count - written > perChunk) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
    written += perChunk;
  }
  const last = count - written;
  gzip.write(`${`${entry},`.repeat(Math.max(0, last - 1))}${last > 0 ? entry : ''}]}`);
  gzip.end();
  await done;
  return { awslogs: { data: Buffer.concat(chunks).toString('base64') } };
}
