import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { KubeguardError } from '#core/errors.ts';
import {
  type BuildOptions,
  type EvidencePackSink,
  type WrittenEvidencePack,
  writeEvidencePack,
} from '#core/evidence-pack/build.ts';
import type { EvidencePack, EvidencePackRequest, EvidenceSources } from '#core/evidence-pack/model.ts';

/**
 * An evidence pack as one `.tar.gz` an auditor opens with any tar: a POSIX ustar archive (written
 * here, 512-byte blocks, no dependency) of every file under `<packId>/` in the pack's order,
 * `manifest.json` last (an archive written as the pack is built can only know it then), gzip'd. Reproducible: every entry has the pack's `generatedAt` as
 * its time, owner 0:0 (`kubeguard`), mode 0644 (directories 0755), and the gzip header carries no
 * time and a fixed OS byte — the same pack always gives the same bytes, so its SHA-256 can be
 * recomputed from the pack's records (docs/evidence-packs.md, decision D68).
 */

/** The manifest as stored, inside the archive and beside it: 2-space JSON and a final newline. */
export function manifestText(pack: Pick<EvidencePack, 'manifest'>): string {
  return `${JSON.stringify(pack.manifest, null, 2)}\n`;
}

/** The name of the manifest inside `<packId>/`. */
export const MANIFEST_FILE = 'manifest.json';

const BLOCK = 512;
/** GNU and BSD tar write 20-block records; the archive is padded to one. */
const RECORD = 20 * BLOCK;
/** Pack ids and file paths: plain relative segments, so extraction never leaves `<packId>/`. */
const SAFE_SEGMENT = /^[A-Za-z0-9._@+=-]+$/;

export function packArchive(pack: EvidencePack): Uint8Array {
  checkPack(pack);
  const blocks: Uint8Array[] = [];
  const tar = new TarWriter(archiveTime(pack.id, pack.manifest.generatedAt), (block) => blocks.push(block));
  for (const file of contentFiles(pack))
    tar.file(`${pack.id}/${file.path}`, Buffer.from(file.content, 'utf8'));
  tar.file(`${pack.id}/${MANIFEST_FILE}`, Buffer.from(manifestText(pack), 'utf8'));
  tar.finish();
  const gzip = gzipSync(Buffer.concat(blocks), { level: GZIP_LEVEL });
  fixGzipOs(gzip);
  return new Uint8Array(gzip.buffer, gzip.byteOffset, gzip.byteLength);
}

/**
 * Level 6 (zlib's default): a quarter of 50 clusters is gigabytes of JSON, which level 9 compresses
 * barely smaller at several times the cost. Fixed, so the archive's bytes stay reproducible.
 */
const GZIP_LEVEL = 6;

/** What an archive written as the pack is built comes to. */
export interface WrittenEvidenceArchive {
  pack: WrittenEvidencePack;
  /** SHA-256 (hex) of the `.tar.gz` bytes. */
  archiveSha256: string;
  /** MD5 (base64) of the `.tar.gz` bytes: the Content-MD5 S3 requires on a put with Object Lock retention. */
  archiveMd5: string;
  bytes: number;
  /** The text of each file `keep` asked for, by path (the summaries a Slack reply counts from). */
  kept: ReadonlyMap<string, string>;
}

export interface WriteArchiveOptions extends BuildOptions {
  /** Files whose text the caller wants back (small ones: `summary/<framework>.json`). */
  keep?: (path: string) => boolean;
}

/**
 * Builds the pack straight into a `.tar.gz` file (never overwriting one): each file is held only
 * while its tar entry is written, so memory stays that of the largest single file, not the pack's —
 * a quarter of 50 clusters is gigabytes. The bytes are exactly those of `packArchive` on the same
 * pack (same entries, same order, manifest last, same gzip level).
 */
export async function writeEvidenceArchive(
  request: EvidencePackRequest,
  sources: EvidenceSources,
  path: string,
  options: WriteArchiveOptions = {},
): Promise<WrittenEvidenceArchive> {
  const mtime = archiveTime('(request)', request.generatedAt);
  const output = createWriteStream(path, { flags: 'wx' });
  const opened = once(output, 'open');
  const failed = new Promise<never>((_, reject) => output.once('error', reject));
  await Promise.race([opened, failed]);
  const gzip = createGzip({ level: GZIP_LEVEL });
  const hash = createHash('sha256');
  const md5 = createHash('md5');
  const kept = new Map<string, string>();
  let bytes = 0;
  let first = true;
  gzip.on('data', (chunk: Buffer) => {
    if (first) fixGzipOs(chunk);
    first = false;
    hash.update(chunk);
    md5.update(chunk);
    bytes += chunk.length;
    if (!output.write(chunk)) gzip.pause();
  });
  output.on('drain', () => gzip.resume());
  let root = '';
  let pending: Uint8Array[] = [];
  const tar = new TarWriter(mtime, (block) => pending.push(block));
  const flush = async () => {
    const blocks = pending;
    pending = [];
    for (const block of blocks) if (!gzip.write(block)) await once(gzip, 'drain');
  };
  const sink: EvidencePackSink = {
    begin(id) {
      assertPlainPath(id);
      root = id;
    },
    async file(filePath, _contentType, chunks) {
      assertPlainPath(filePath);
      const parts: Buffer[] = [];
      for (const chunk of chunks) parts.push(Buffer.from(chunk, 'utf8'));
      const body = Buffer.concat(parts);
      if (options.keep?.(filePath) === true) kept.set(filePath, body.toString('utf8'));
      tar.file(`${root}/${filePath}`, body);
      await flush();
    },
  };
  try {
    const pack = await writeEvidencePack(request, sources, sink, options);
    tar.finish();
    await flush();
    gzip.end();
    await Promise.race([once(gzip, 'end'), failed]);
    output.end();
    await Promise.race([once(output, 'finish'), failed]);
    return { pack, archiveSha256: hash.digest('hex'), archiveMd5: md5.digest('base64'), bytes, kept };
  } catch (error) {
    // A pack that failed half-way is no evidence: the partial file this call created goes.
    gzip.destroy();
    output.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

/** The entries' time: the pack's `generatedAt`, in whole seconds. */
function archiveTime(id: string, generatedAt: string): number {
  const mtime = Math.floor(Date.parse(generatedAt) / 1000);
  if (!Number.isFinite(mtime) || mtime < 0) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `evidence pack ${id}: generatedAt ${JSON.stringify(generatedAt)} is not an ISO-8601 time after 1970`,
    );
  }
  return mtime;
}

/**
 * The OS byte of the gzip header (RFC 1952) depends on the platform zlib was built for; 3 (Unix)
 * everywhere keeps the archive's bytes, and so its SHA-256, the same on every platform.
 */
function fixGzipOs(gzipStart: Buffer): void {
  gzipStart[9] = 3;
}

/**
 * A POSIX ustar stream: each file's parent folders (once), its header, its bytes padded to a
 * block; `finish` writes the two end blocks and pads to a 20-block record as GNU and BSD tar do.
 */
class TarWriter {
  private readonly directories = new Set<string>();
  private length = 0;

  private readonly mtime: number;
  private readonly emit: (block: Uint8Array) => void;

  constructor(mtime: number, emit: (block: Uint8Array) => void) {
    this.mtime = mtime;
    this.emit = emit;
  }

  file(path: string, body: Buffer): void {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) this.directory(segments.slice(0, i).join('/'));
    this.write(header({ path, size: body.length, mtime: this.mtime, type: '0', mode: 0o644 }));
    this.write(body);
    const padding = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (padding > 0) this.write(new Uint8Array(padding));
  }

  finish(): void {
    this.write(new Uint8Array(2 * BLOCK));
    const padding = (RECORD - (this.length % RECORD)) % RECORD;
    if (padding > 0) this.write(new Uint8Array(padding));
  }

  private directory(path: string): void {
    if (this.directories.has(path)) return;
    this.directories.add(path);
    this.write(header({ path: `${path}/`, size: 0, mtime: this.mtime, type: '5', mode: 0o755 }));
  }

  private write(block: Uint8Array): void {
    this.length += block.length;
    this.emit(block);
  }
}

/** SHA-256 (hex) of bytes. */
export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The pack's files but the manifest (the builder may hand it over as its last file; the archive writes it first). */
function contentFiles(pack: EvidencePack): EvidencePack['files'] {
  return pack.files.filter((file) => file.path !== MANIFEST_FILE);
}

/**
 * The pack is storable: plain paths, a manifest that lists exactly its files by SHA-256, and — when
 * the builder handed the manifest over as a file — that file is the manifest's text.
 */
function checkPack(pack: EvidencePack): void {
  const given = pack.files.filter((file) => file.path === MANIFEST_FILE);
  if (given.length > 1 || (given[0] !== undefined && given[0].content !== manifestText(pack))) {
    throw new KubeguardError(
      'INTERNAL',
      `evidence pack ${pack.id} holds a manifest.json that is not its manifest (or holds it twice)`,
    );
  }
  const files = contentFiles(pack);
  for (const path of [pack.id, ...files.map((file) => file.path)]) assertPlainPath(path);
  const paths = files.map((file) => file.path);
  const duplicate = paths.find((path, index) => paths.indexOf(path) !== index);
  if (duplicate !== undefined) {
    throw new KubeguardError('INTERNAL', `evidence pack ${pack.id} holds ${duplicate} twice`);
  }
  const listed = new Map(pack.manifest.files.map((entry) => [entry.path, entry.sha256]));
  const mismatched = files
    .filter(
      (file) => listed.get(file.path) !== createHash('sha256').update(file.content, 'utf8').digest('hex'),
    )
    .map((file) => file.path);
  const unlisted = [...listed.keys()].filter((path) => !paths.includes(path));
  if (mismatched.length > 0 || unlisted.length > 0 || pack.manifest.packId !== pack.id) {
    throw new KubeguardError(
      'INTERNAL',
      `evidence pack ${pack.id} does not match its manifest (content differs or unlisted: ${mismatched.join(', ') || 'none'}; listed but absent: ${unlisted.join(', ') || 'none'})`,
      { details: { packId: pack.id, mismatched, unlisted } },
    );
  }
}

/** Pack ids and file paths are plain relative segments, so extraction never leaves `<packId>/`. */
function assertPlainPath(path: string): void {
  if (path.split('/').every((segment) => SAFE_SEGMENT.test(segment) && segment !== '.' && segment !== '..'))
    return;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `evidence pack path ${JSON.stringify(path)} is not a plain relative path (letters, digits, . _ @ + = - and /)`,
    { details: { path } },
  );
}

interface Entry {
  path: string;
  size: number;
  mtime: number;
  /** `0` file, `5` directory. */
  type: '0' | '5';
  mode: number;
}

/** One ustar header block (POSIX.1-1988), the path split into prefix and name past 100 bytes. */
function header(entry: Entry): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  const [prefix, name] = splitPath(entry.path);
  block.write(name, 0, 100, 'utf8');
  octal(block, 100, 8, entry.mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, entry.size);
  octal(block, 136, 12, entry.mtime);
  block.write(entry.type, 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write('kubeguard', 265, 32, 'ascii');
  block.write('kubeguard', 297, 32, 'ascii');
  octal(block, 329, 8, 0); // devmajor
  octal(block, 337, 8, 0); // devminor
  block.write(prefix, 345, 155, 'utf8');
  // The checksum is the byte sum with its own field read as eight spaces: six octal digits, NUL, space.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

/** A field of `width` bytes: zero-padded octal digits and a NUL. */
function octal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) {
    throw new KubeguardError('LIMIT_EXCEEDED', `evidence pack: ${value} does not fit a tar header field`);
  }
  block.write(`${digits}\u0000`, offset, width, 'ascii');
}

/** ustar holds a path of up to 100 bytes in `name`, or 155 + `/` + 100 split at a slash. */
function splitPath(path: string): [prefix: string, name: string] {
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes <= 100) return ['', path];
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix, 'utf8') <= 155 && Buffer.byteLength(name, 'utf8') <= 100 && name !== '') {
      return [prefix, name];
    }
  }
  throw new KubeguardError(
    'LIMIT_EXCEEDED',
    `evidence pack path ${JSON.stringify(path)} is too long for a tar archive (a 155-byte folder and a 100-byte name at most)`,
  );
}
