import { randomBytes } from 'node:crypto';
import { isRecord, stringField } from './http.ts';
import type { SandboxFile, SlackState } from './state.ts';
import { apiError, type MethodHandler, ok } from './web-api.ts';

/**
 * The three steps of @slack/web-api's files.uploadV2, as Slack serves them
 * (docs.slack.dev/reference/methods/files.getuploadurlexternal, …completeuploadexternal):
 * 1. files.getUploadURLExternal {filename, length} → {upload_url, file_id};
 * 2. POST the bytes to upload_url (the SDK sends multipart/form-data; a raw body works too);
 * 3. files.completeUploadExternal {files:[{id,title}], channel_id, thread_ts?, initial_comment?}
 *    shares them as one message and answers {files:[…]}.
 * The bytes are kept, so the page can show a PNG and offer the others for download.
 */

/** Uploads waiting for their bytes or their completion, by file id. */
export interface PendingUpload {
  name: string;
  length: number;
  altText?: string;
  bytes?: Buffer;
}

const MIME: Readonly<Record<string, [mimetype: string, filetype: string]>> = {
  png: ['image/png', 'png'],
  jpg: ['image/jpeg', 'jpg'],
  jpeg: ['image/jpeg', 'jpg'],
  gif: ['image/gif', 'gif'],
  json: ['application/json', 'json'],
  jsonl: ['application/x-ndjson', 'text'],
  txt: ['text/plain', 'text'],
  log: ['text/plain', 'text'],
  csv: ['text/csv', 'csv'],
  md: ['text/markdown', 'markdown'],
  yaml: ['application/yaml', 'yaml'],
  yml: ['application/yaml', 'yaml'],
  pdf: ['application/pdf', 'pdf'],
  gz: ['application/gzip', 'gzip'],
  tgz: ['application/gzip', 'gzip'],
  zip: ['application/zip', 'zip'],
};

export function mimeOf(name: string): { mimetype: string; filetype: string } {
  const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  const [mimetype, filetype] = MIME[extension] ?? ['application/octet-stream', 'binary'];
  return { mimetype, filetype };
}

export class FileUploads {
  readonly pending = new Map<string, PendingUpload>();

  /** Step 2: the bytes for an upload URL. Answers false for an unknown or completed file id. */
  receive(fileId: string, bytes: Buffer): boolean {
    const upload = this.pending.get(fileId);
    if (upload === undefined) return false;
    upload.bytes = bytes;
    return true;
  }

  readonly methods: Readonly<Record<string, MethodHandler>> = {
    'files.getUploadURLExternal': ({ state, body, origin }) => {
      const filename = stringField(body, 'filename');
      const length = Number(stringField(body, 'length'));
      if (filename === undefined) return apiError('invalid_arguments');
      if (!Number.isInteger(length) || length < 0) return apiError('invalid_arguments');
      const fileId = `F0SBX${randomBytes(5).toString('hex').toUpperCase()}`;
      const altText = stringField(body, 'alt_text');
      this.pending.set(fileId, { name: filename, length, ...(altText === undefined ? {} : { altText }) });
      state.changed();
      return ok({ upload_url: `${origin}/api/sandbox/upload/${fileId}`, file_id: fileId });
    },
    'files.completeUploadExternal': ({ state, body }) => {
      const entries = Array.isArray(body.files) ? body.files.filter(isRecord) : [];
      if (entries.length === 0) return apiError('invalid_arguments');
      const channel = stringField(body, 'channel_id') ?? stringField(body, 'channels');
      if (channel !== undefined && !state.knowsChannel(channel)) return apiError('channel_not_found');
      const files: SandboxFile[] = [];
      for (const entry of entries) {
        const id = stringField(entry, 'id') ?? '';
        const upload = this.pending.get(id);
        if (upload?.bytes === undefined) return apiError('file_not_found');
        files.push(toFile(id, upload, stringField(entry, 'title'), channel));
      }
      for (const file of files) {
        this.pending.delete(file.id);
        state.files.set(file.id, file);
      }
      if (channel !== undefined) shareFiles(state, channel, files, body);
      state.changed();
      return ok({ files: files.map((f) => fileJson(f, state)) });
    },
  };
}

function toFile(id: string, upload: PendingUpload, title: string | undefined, channel?: string): SandboxFile {
  const bytes = upload.bytes ?? Buffer.alloc(0);
  return {
    id,
    name: upload.name,
    title: title ?? upload.name,
    ...mimeOf(upload.name),
    size: bytes.length,
    bytes,
    ...(upload.altText === undefined ? {} : { altText: upload.altText }),
    ...(channel === undefined ? {} : { channel }),
  };
}

/** The file share message Slack posts: the initial comment as its text, the files attached. */
function shareFiles(
  state: SlackState,
  channel: string,
  files: SandboxFile[],
  body: Record<string, unknown>,
): void {
  const threadTs = stringField(body, 'thread_ts');
  const blocks = Array.isArray(body.blocks) ? body.blocks : [];
  state.post({
    channel,
    text: stringField(body, 'initial_comment') ?? '',
    blocks,
    files,
    ...(threadTs === undefined || state.message(channel, threadTs) === undefined ? {} : { threadTs }),
  });
}

/** Slack's file object, the fields the sandbox knows. */
export function fileJson(file: SandboxFile, state: SlackState): Record<string, unknown> {
  return {
    id: file.id,
    created: Math.floor(state.nowMs() / 1000),
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    size: file.size,
    user: state.botUserId,
    is_external: false,
    channels: file.channel === undefined ? [] : [file.channel],
  };
}
