// A file sent as a resumable multipart upload: one sequential pass reads the file once, hashing each part and the
// whole file as it goes, and hands each missing part to one of a few senders (4 by default); each sender asks for a
// fresh URL with the part's SHA-256 signed in, PUTs the part's byte range from disk, and retries it on its own with
// backoff. A small JSON state file (beside the source by default) records the asset id and the parts done, so an
// interrupted upload — a crash, kill -9, another machine — continues with only the parts the server lacks.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Files above this go in parts (when the server offers multipart uploads). */
export const MULTIPART_ABOVE_BYTES = 64 * 1024 * 1024;
/** Parts sent at once. */
export const PARALLEL_PARTS = 4;
const READ_CHUNK = 1024 * 1024;

export interface ResumeState {
  readonly version: 1;
  readonly asset_id: string;
  readonly base_url: string;
  readonly file: { readonly path: string; readonly size: number; readonly mtime_ms: number };
  readonly part_size_bytes: number;
  readonly part_count: number;
  /** Whether each part goes with its SHA-256 (as the upload was started). */
  readonly part_checksums: boolean;
  /** Parts the server acknowledged, with the SHA-256 sent. */
  parts_done: { part_number: number; sha256: string }[];
}

export interface PartEvent {
  readonly partNumber: number;
  /** `sent` by this run, or already `received` by the server from an earlier one. */
  readonly action: 'sent' | 'received';
}

export interface MultipartRunOptions {
  readonly filePath: string;
  readonly size: number;
  readonly filename: string;
  readonly mime: string;
  readonly partSizeBytes?: number | undefined;
  readonly parallel?: number | undefined;
  /** Where the resume state is kept (default: `<file>.assetd-upload.json` beside it). */
  readonly statePath?: string | undefined;
  /** Continue the upload the state file describes instead of starting a new one. */
  readonly resume?: boolean | undefined;
  readonly onBytes: (bytes: number) => void;
  readonly onPart?: ((event: PartEvent) => void) | undefined;
}

/** What the uploader needs of AssetdClient: its API calls (with retries) and its PUT of a byte range. */
export interface MultipartTransport {
  readonly baseUrl: string;
  api<T>(method: 'GET' | 'POST', pathname: string, options?: { json?: unknown; idempotent?: boolean; retryConflict?: boolean }): Promise<T>;
  /** PUTs bytes [start, end) of the file to the URL, retried on network failures, 5xx and 429. */
  putRange(url: string, headers: Record<string, string>, filePath: string, start: number, end: number, onBytes: (bytes: number) => void): Promise<void>;
}

interface ServerPart {
  part_number: number;
  size_bytes: number;
  upload_url: string;
  upload_headers: Record<string, string>;
}

interface ServerState {
  asset_id: string;
  status: string;
  part_size_bytes: number;
  part_count: number;
  part_checksums: boolean;
  parts_received: { part_number: number; size_bytes: number; checksum_sha256: string | null }[];
  parts: ServerPart[];
}

export const defaultStatePath = (filePath: string) => `${filePath}.assetd-upload.json`;

export class ResumeError extends Error {}

export async function uploadInParts<T>(transport: MultipartTransport, options: MultipartRunOptions): Promise<T> {
  const statePath = options.statePath ?? defaultStatePath(options.filePath);
  const stat = await fs.stat(options.filePath);
  const file = { path: path.resolve(options.filePath), size: options.size, mtime_ms: Math.floor(stat.mtimeMs) };
  let state: ResumeState;
  let server: ServerState;
  if (options.resume) {
    state = await readState(statePath);
    if (state.file.size !== file.size || state.file.mtime_ms !== file.mtime_ms) {
      throw new ResumeError(`${options.filePath} changed since the upload in ${statePath} began; start it again without --resume.`);
    }
    server = await transport.api<ServerState>('GET', `/v3/assets/multipart-uploads/${encodeURIComponent(state.asset_id)}?limit=1`);
    if (server.status === 'completed') return complete<T>(transport, state.asset_id, null, statePath);
    if (server.status !== 'pending_upload') throw new ResumeError(`The upload ${state.asset_id} is ${server.status}; start it again without --resume.`);
  } else {
    server = await transport.api<ServerState>('POST', '/v3/assets/multipart-uploads', {
      json: {
        filename: options.filename,
        content_type: options.mime,
        size_bytes: options.size,
        // Each part's SHA-256 signed into its URL: the store (or assetd) checks every part as it lands.
        part_checksums: true,
        ...(options.partSizeBytes ? { part_size_bytes: options.partSizeBytes } : {}),
      },
      idempotent: true,
    });
    state = {
      version: 1,
      asset_id: server.asset_id,
      base_url: transport.baseUrl,
      file,
      part_size_bytes: server.part_size_bytes,
      part_count: server.part_count,
      part_checksums: server.part_checksums,
      parts_done: [],
    };
    await writeState(statePath, state);
  }

  const partSize = state.part_size_bytes;
  const bounds = (n: number) => ({ start: (n - 1) * partSize, end: Math.min(n * partSize, options.size) });
  // The server is the truth about what arrived; a part it holds with another SHA-256 than ours is sent again.
  const held = new Map(server.parts_received.map((p) => [p.part_number, p]));
  let doneBytes = 0;
  const inFlight = new Map<number, number>();
  const report = () => options.onBytes(doneBytes + [...inFlight.values()].reduce((a, b) => a + b, 0));

  const whole = createHash('sha256');
  const handle = await fs.open(options.filePath, 'r');
  /** One pass over the file, in order: each part's SHA-256 and the whole file's; yields the parts to send. */
  async function* toSend(): AsyncGenerator<{ partNumber: number; sha256: string }> {
    const buffer = Buffer.alloc(READ_CHUNK);
    for (let n = 1; n <= state.part_count; n++) {
      const { start, end } = bounds(n);
      const hash = createHash('sha256');
      for (let at = start; at < end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK, end - at), at);
        if (bytesRead === 0) throw new ResumeError(`${options.filePath} is shorter than when the upload began.`);
        hash.update(buffer.subarray(0, bytesRead));
        whole.update(buffer.subarray(0, bytesRead));
        at += bytesRead;
      }
      const sha256 = hash.digest('hex');
      const there = held.get(n);
      if (there && there.size_bytes === end - start && (there.checksum_sha256 === null || there.checksum_sha256 === sha256)) {
        doneBytes += end - start;
        report();
        options.onPart?.({ partNumber: n, action: 'received' });
        continue;
      }
      yield { partNumber: n, sha256 };
    }
  }

  let saving = Promise.resolve();
  const parts = toSend();
  let failure: { error: unknown } | null = null;
  const sender = async () => {
    // Workers share one generator: each next() waits for the one before, so the file is read once, in order.
    for (let next = await parts.next(); !next.done && !failure; next = await parts.next()) {
      const { partNumber, sha256 } = next.value;
      const { start, end } = bounds(partNumber);
      // An upload begun elsewhere without part checksums takes none (the store would refuse them).
      const query = server.part_checksums ? `part_numbers=${partNumber}&checksums_sha256=${sha256}` : `part_numbers=${partNumber}`;
      const fresh = await transport.api<ServerState>('GET', `/v3/assets/multipart-uploads/${encodeURIComponent(state.asset_id)}?${query}`);
      const target = fresh.parts[0]!;
      inFlight.set(partNumber, 0);
      await transport.putRange(target.upload_url, target.upload_headers, options.filePath, start, end, (bytes) => {
        inFlight.set(partNumber, bytes);
        report();
      });
      inFlight.delete(partNumber);
      doneBytes += end - start;
      report();
      state.parts_done.push({ part_number: partNumber, sha256 });
      // One write at a time, each the whole state: a crash leaves the last complete one.
      saving = saving.then(() => writeState(statePath, state));
      await saving;
      options.onPart?.({ partNumber, action: 'sent' });
    }
  };
  // A part that fails for good stops the others taking new parts; those under way finish (and are recorded).
  const guarded = () =>
    sender().catch((error: unknown) => {
      failure ??= { error };
    });
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? PARALLEL_PARTS) }, guarded));
  } finally {
    await parts.return(undefined);
    await handle.close();
  }
  if (failure) throw (failure as { error: unknown }).error;
  return complete<T>(transport, state.asset_id, whole.digest('hex'), statePath);
}

async function complete<T>(transport: MultipartTransport, assetId: string, sha256: string | null, statePath: string): Promise<T> {
  const done = await transport.api<T>('POST', `/v3/assets/${encodeURIComponent(assetId)}/complete`, {
    json: sha256 ? { checksum_sha256: sha256 } : {},
    retryConflict: true,
  });
  await fs.rm(statePath, { force: true });
  return done;
}

async function readState(statePath: string): Promise<ResumeState> {
  let text: string;
  try {
    text = await fs.readFile(statePath, 'utf8');
  } catch {
    throw new ResumeError(`There is no upload to resume: ${statePath} does not exist.`);
  }
  const state = JSON.parse(text) as ResumeState;
  if (state.version !== 1 || typeof state.asset_id !== 'string') throw new ResumeError(`${statePath} is not an assetd resume state.`);
  return state;
}

/** Written beside itself and renamed over, so the file is always a whole state. */
async function writeState(statePath: string, state: ResumeState): Promise<void> {
  const temp = `${statePath}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await fs.rename(temp, statePath);
}

/** A readable of bytes [start, end) of a file, in 1 MiB chunks. */
export function rangeStream(filePath: string, start: number, end: number) {
  return createReadStream(filePath, { start, end: end - 1, highWaterMark: READ_CHUNK });
}
