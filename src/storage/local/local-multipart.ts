// Multipart uploads on local disk. Each upload is a directory <dataDir>/multipart/<upload id> holding `target.json`
// (the key its object will have) and one file per part, `<part number>.<sha256>`: each part streams to a temp file
// in that directory (flat memory, hashed and counted on the way), is fsynced, and is renamed in, so a part is there
// whole or not at all, and a part written again replaces the earlier one. complete() streams the parts in order into
// one temp file under tmp/ (fsynced), renames it to the object, and only then removes the directory: a crash at any
// point leaves either the parts or the object, never half of one.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errors } from '../../domain/errors.js';
import type {
  CompleteMultipartOptions,
  MultipartStorage,
  MultipartTarget,
  ObjectInfo,
  StoredPart,
  WritePartOptions,
} from '../../domain/ports/index.js';
import { diskFault } from '../faults.js';
import { DurableFileWriter } from './durable-file.js';

/** What the local-disk adapter lends its multipart uploads: where objects and temp files go. */
export interface LocalMultipartHost {
  readonly multipartDir: string;
  readonly tempDir: string;
  /** The file of an object key (through the path guard). */
  objectPath(key: string): string;
  ensureDir(dir: string): Promise<void>;
  /** Temp files of writes under way in this process (never abandoned). */
  readonly writing: Set<string>;
}

const TARGET_FILE = 'target.json';
const PART_FILE = /^(\d{1,5})\.([0-9a-f]{64})$/;
const TEMP_PREFIX = 'tmp-';
const IO_CHUNK_BYTES = 1024 * 1024;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

export class LocalMultipart implements MultipartStorage {
  /** One rename-and-tidy at a time per part in this process, so the last part written is the one kept. */
  private readonly partLocks = new Map<string, Promise<void>>();

  constructor(private readonly host: LocalMultipartHost) {}

  private dirOf(uploadId: string): string {
    // The id is ours (a UUID), but it comes back from records: never let it name another directory.
    if (!UPLOAD_ID.test(uploadId)) throw errors.notFound('Upload');
    return path.join(this.host.multipartDir, uploadId);
  }

  async create({ key }: { key: string; contentType: string }): Promise<{ uploadId: string }> {
    this.host.objectPath(key); // the guard refuses a bad key now rather than at completion
    const uploadId = randomUUID();
    const dir = this.dirOf(uploadId);
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, TARGET_FILE), JSON.stringify({ key }));
    } catch (error) {
      await fs.rm(dir, { recursive: true, force: true });
      throw diskFault(error);
    }
    return { uploadId };
  }

  async writePart({ uploadId, partNumber, body, sizeBytes, sha256, signal }: WritePartOptions): Promise<StoredPart> {
    const dir = this.dirOf(uploadId);
    if (!(await exists(path.join(dir, TARGET_FILE)))) throw errors.notFound('Upload');
    const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const measure = new Transform({
      highWaterMark: IO_CHUNK_BYTES,
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > sizeBytes) return done(errors.sizeMismatch(`The part is longer than its ${sizeBytes} bytes.`, 'body'));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const out = new DurableFileWriter(temp, IO_CHUNK_BYTES);
    this.host.writing.add(temp);
    try {
      await pipeline(body, measure, out, signal ? { signal } : {});
      if (bytes !== sizeBytes) throw errors.sizeMismatch(`The part is ${bytes} bytes; it must be ${sizeBytes}.`, 'body');
      const digest = hash.digest('hex');
      if (sha256 && sha256 !== digest) throw errors.checksumMismatch('The SHA-256 of the part does not match its checksum.', 'body');
      await this.lockPart(`${uploadId}/${partNumber}`, async () => {
        await fs.rename(temp, path.join(dir, `${partNumber}.${digest}`));
        // Earlier versions of this part: the one just renamed in is the part now.
        for (const name of await fs.readdir(dir)) {
          const match = PART_FILE.exec(name);
          if (match && Number(match[1]) === partNumber && match[2] !== digest) await fs.rm(path.join(dir, name), { force: true });
        }
      });
      return { partNumber, sizeBytes, etag: digest, sha256: digest };
    } catch (error) {
      if (!out.closed) await new Promise((resolve) => out.once('close', resolve));
      await fs.rm(temp, { force: true });
      // The upload was completed or aborted while this part streamed in.
      if (isNotFound(error)) throw errors.notFound('Upload');
      throw diskFault(error);
    } finally {
      this.host.writing.delete(temp);
    }
  }

  private async lockPart(id: string, work: () => Promise<void>): Promise<void> {
    const before = this.partLocks.get(id) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.catch(() => {});
    this.partLocks.set(id, settled);
    try {
      await mine;
    } finally {
      if (this.partLocks.get(id) === settled) this.partLocks.delete(id);
    }
  }

  async listParts({ uploadId }: MultipartTarget): Promise<StoredPart[] | null> {
    const dir = this.dirOf(uploadId);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw diskFault(error);
    }
    if (!names.includes(TARGET_FILE)) return null;
    const newest = new Map<number, { part: StoredPart; mtimeMs: number }>();
    for (const name of names) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const stat = await fs.stat(path.join(dir, name)).catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      });
      if (!stat) continue;
      const partNumber = Number(match[1]);
      const seen = newest.get(partNumber);
      // Two versions exist only for the moment between a rename and its tidy-up (or after a crash there): the newer wins.
      if (seen && seen.mtimeMs >= stat.mtimeMs) continue;
      newest.set(partNumber, { part: { partNumber, sizeBytes: stat.size, etag: match[2]!, sha256: match[2]! }, mtimeMs: stat.mtimeMs });
    }
    return [...newest.values()].map((v) => v.part).sort((a, b) => a.partNumber - b.partNumber);
  }

  async complete({ key, uploadId, parts, observe }: CompleteMultipartOptions): Promise<ObjectInfo> {
    const dir = this.dirOf(uploadId);
    const target = this.host.objectPath(key);
    const files = parts.map((part) => path.join(dir, `${part.partNumber}.${part.etag}`));
    for (const file of files) if (!(await exists(file))) throw errors.conflict('A part changed while the upload was being completed; retry.');
    const temp = path.join(this.host.tempDir, `${randomUUID()}.part`);
    const out = new DurableFileWriter(temp, IO_CHUNK_BYTES);
    this.host.writing.add(temp);
    try {
      // One part open at a time, read in 1 MiB chunks: memory stays flat whatever the number and size of parts.
      const concatenated = Readable.from(
        (async function* () {
          for (const file of files) yield* createReadStream(file, { highWaterMark: IO_CHUNK_BYTES });
        })(),
        { objectMode: false, highWaterMark: IO_CHUNK_BYTES },
      );
      const observer = observe?.();
      await (observer ? pipeline(concatenated, observer, out) : pipeline(concatenated, out));
      await this.host.ensureDir(path.dirname(target));
      await fs.rename(temp, target);
    } catch (error) {
      if (!out.closed) await new Promise((resolve) => out.once('close', resolve));
      await fs.rm(temp, { force: true });
      // A part written again while we assembled: its earlier version, the one listed, is gone.
      if (isNotFound(error)) throw errors.conflict('A part was sent again while the upload was being completed; complete again.');
      throw diskFault(error);
    } finally {
      this.host.writing.delete(temp);
    }
    await fs.rm(dir, { recursive: true, force: true });
    return { sizeBytes: out.written };
  }

  async abort({ uploadId }: MultipartTarget): Promise<void> {
    const dir = this.dirOf(uploadId);
    // The target file first: from then on the upload is gone for writePart and listParts, whatever is left to remove.
    await fs.rm(path.join(dir, TARGET_FILE), { force: true }).catch(() => {});
    await fs.rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
      throw diskFault(error);
    });
  }

  /**
   * Uploads untouched for `idleMs` whose key `spare` does not claim (a crash between opening the upload and
   * recording it), and temp parts a killed process left in the uploads that are kept.
   */
  async removeAbandoned(idleMs: number, now: number, spare?: (keys: readonly string[]) => Promise<ReadonlySet<string>>): Promise<number> {
    let removed = 0;
    let ids: string[];
    try {
      ids = await fs.readdir(this.host.multipartDir);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
    const idle: { dir: string; key: string | null }[] = [];
    for (const id of ids) {
      if (!UPLOAD_ID.test(id)) continue;
      const dir = path.join(this.host.multipartDir, id);
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const file = path.join(dir, name);
        if (this.host.writing.has(file)) continue;
        const stat = await fs.stat(file).catch(() => null);
        if (stat && now - stat.mtimeMs >= idleMs) {
          await fs.rm(file, { force: true });
          removed += 1;
        }
      }
      const stat = await fs.stat(dir).catch(() => null);
      if (!stat || now - stat.mtimeMs < idleMs) continue;
      const target = await fs.readFile(path.join(dir, TARGET_FILE), 'utf8').catch(() => null);
      idle.push({ dir, key: target === null ? null : ((JSON.parse(target) as { key?: string }).key ?? null) });
    }
    const kept = spare ? await spare(idle.flatMap((u) => (u.key ? [u.key] : []))) : new Set<string>();
    for (const upload of idle) {
      if (upload.key !== null && kept.has(upload.key)) continue;
      await fs.rm(upload.dir, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
