import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CliIo } from './io.ts';

/**
 * The inputs of a command that reads files or standard input (detect, render), as byte streams:
 * nothing is read into one string (issue 14: ~600 MB of stdin ended in ERR_STRING_TOO_LONG, and a
 * readable file over the string limit was called unreadable). gzip is recognized by its magic bytes
 * (CloudWatch Logs exports to S3 are gzip files), a UTF-8 byte-order mark is dropped (it cost the
 * first event), UTF-16 text (PowerShell's `>`) is converted, and binary data is refused by name.
 */
export interface Input {
  /** The name used in messages: the path as given, or `<stdin>`. */
  name: string;
  fromFile: boolean;
  /** The input's text as UTF-8 bytes, decompressed; throws InputError when it is not text. */
  text: () => AsyncIterable<Uint8Array>;
  /** Bytes read from the source so far (before decompression). */
  readonly bytesRead: () => number;
}

/** An input that cannot be read as text (binary data, broken gzip, a read error mid-way). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

const READ_CHUNK = 1024 * 1024;

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'a directory, not a file',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Opens every file before anything is read, so that a wrong argument is reported (exit 2) before any
 * output. `-` is standard input; no file at all means standard input.
 */
export async function openInputs(
  files: readonly string[],
  io: CliIo,
): Promise<Input[] | { unreadable: string }> {
  if (files.length === 0) return [stdinInput(io)];
  if (files.filter((file) => file === '-').length > 1) {
    return { unreadable: 'standard input ("-") can be read only once' };
  }
  const inputs: Input[] = [];
  const opened: FileHandle[] = [];
  for (const file of files) {
    if (file === '-') {
      inputs.push(stdinInput(io));
      continue;
    }
    let handle: FileHandle;
    try {
      handle = await open(resolve(io.cwd, file), 'r');
      if ((await handle.stat()).isDirectory()) {
        await handle.close();
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
    } catch (error) {
      await Promise.all(opened.map((h) => h.close()));
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const why = WHY[code] === undefined ? '' : `: ${WHY[code]}`;
      return {
        unreadable: `cannot read ${JSON.stringify(file)} (${code})${why}; pass readable files, or no file to read stdin`,
      };
    }
    opened.push(handle);
    inputs.push(fileInput(file, handle));
  }
  return inputs;
}

function counted(source: AsyncIterable<Uint8Array>): {
  bytes: AsyncIterable<Uint8Array>;
  read: () => number;
} {
  let read = 0;
  return {
    read: () => read,
    bytes: (async function* () {
      for await (const chunk of source) {
        read += chunk.length;
        yield chunk;
      }
    })(),
  };
}

function stdinInput(io: CliIo): Input {
  const source = counted({ [Symbol.asyncIterator]: () => io.stdin()[Symbol.asyncIterator]() });
  return {
    name: '<stdin>',
    fromFile: false,
    text: () => asText(source.bytes, '<stdin>'),
    bytesRead: source.read,
  };
}

/**
 * A file's bytes through one reused buffer. Each chunk is consumed before the next read: the stream
 * scanner copies it, and the gzip path copies what it hands to zlib. fs.ReadStream's fresh megabyte
 * per read fragmented the allocator, and the process grew with the input (issue 14: a 1 GB export).
 */
async function* readChunks(handle: FileHandle): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function fileInput(name: string, handle: FileHandle): Input {
  const source = counted(readChunks(handle));
  return { name, fromFile: true, text: () => asText(source.bytes, name), bytesRead: source.read };
}

/** Bytes → UTF-8 text bytes: gunzip by magic bytes, BOM dropped, UTF-16 converted, binary refused. */
export async function* asText(source: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await firstBytes(iterator, 2);
  if (head.bytes.length >= 2 && head.bytes[0] === 0x1f && head.bytes[1] === 0x8b) {
    yield* asText(gunzip(head.bytes, iterator, name), name);
    return;
  }
  const sniff = await firstBytes(iterator, 4, head);
  let first = sniff.bytes;
  if (first[0] === 0xff && first[1] === 0xfe) {
    yield* utf16(first.subarray(2), iterator, 'utf-16le');
    return;
  }
  if (first[0] === 0xfe && first[1] === 0xff) {
    yield* utf16(first.subarray(2), iterator, 'utf-16be');
    return;
  }
  if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) first = first.subarray(3);
  // grep's test: text has no NUL byte. Looked for in the first 8 KB only.
  const nul = first.subarray(0, 8192).indexOf(0);
  if (nul !== -1) {
    throw new InputError(
      `${name} is binary data (a NUL byte at offset ${nul}), not text: pass audit logs or findings as JSON, JSON Lines or gzip`,
    );
  }
  if (first.length > 0) yield first;
  if (sniff.done) return;
  while (true) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}

interface Head {
  bytes: Buffer;
  done: boolean;
}

/** Reads until at least `size` bytes (or the end) are there. */
async function firstBytes(
  iterator: AsyncIterator<Uint8Array>,
  size: number,
  from: Head = { bytes: Buffer.alloc(0), done: false },
): Promise<Head> {
  let { bytes, done } = from;
  while (!done && bytes.length < size) {
    const next = await iterator.next();
    if (next.done === true) done = true;
    else bytes = bytes.length === 0 ? Buffer.from(next.value) : Buffer.concat([bytes, next.value]);
  }
  return { bytes, done };
}

async function* rest(head: Uint8Array, iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  while (true) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}

async function* gunzip(
  head: Uint8Array,
  iterator: AsyncIterator<Uint8Array>,
  name: string,
): AsyncGenerator<Uint8Array> {
  // Concatenated members (several exported objects joined with cat) are read one after the other.
  // Copies: zlib keeps what it is given past the next read, and the file reader reuses its buffer.
  const inflate = Readable.from(copies(rest(head, iterator))).pipe(createGunzip({ chunkSize: 256 * 1024 }));
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    throw new InputError(`${name}: not valid gzip (${(error as Error).message})`);
  }
}

async function* copies(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

async function* utf16(
  head: Uint8Array,
  iterator: AsyncIterator<Uint8Array>,
  encoding: 'utf-16le' | 'utf-16be',
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of rest(head, iterator)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.decode();
  if (tail !== '') yield Buffer.from(tail, 'utf8');
}

/**
 * Attacker-controlled strings reach the terminal: C0/C1 control characters (escape sequences,
 * carriage returns, newlines) are shown as \uXXXX so a record cannot rewrite the screen or forge lines.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}
