// Local-disk ObjectStorage: objects are files under <dataDir>/objects, written first to <dataDir>/tmp and renamed
// into place after an fsync, so a reader (or a crash) never sees half a file.
import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errors } from '../../domain/errors.js';
import { diskFault } from '../faults.js';
import { resolveInside } from '../path-guard.js';
import { DurableFileWriter } from './durable-file.js';
import type { ObjectInfo, ObjectStorage, ReadOptions, StoredObject, WriteOptions } from '../../domain/ports/index.js';

export interface LocalDiskOptions {
  readonly dataDir: string;
}

const TEMP_SUFFIX = '.part';
/** Less free space than this and the disk is not ready for uploads (the single-request limit, rounded up). */
const MIN_FREE_BYTES = 64 * 1024 * 1024;
/** Bounded (two of these per stream at most), and large enough that syscalls stop dominating. */
const IO_CHUNK_BYTES = 1024 * 1024;

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export class LocalDiskStorage implements ObjectStorage {
  readonly name = 'local-disk';

  /** Fan-out directories known to exist: made once, not once per upload. */
  private readonly dirs = new Set<string>();
  /** Temp files of writes under way in this process: never abandoned, however long their client pauses. */
  private readonly writing = new Set<string>();

  private constructor(
    private readonly objectsDir: string,
    readonly tempDir: string,
  ) {}

  static async open(options: LocalDiskOptions): Promise<LocalDiskStorage> {
    const objectsDir = path.join(options.dataDir, 'objects');
    const tempDir = path.join(options.dataDir, 'tmp');
    await fs.mkdir(objectsDir, { recursive: true });
    await fs.mkdir(tempDir, { recursive: true });
    return new LocalDiskStorage(objectsDir, tempDir);
  }

  async write({ key, body, signal }: WriteOptions): Promise<ObjectInfo> {
    const target = resolveInside(this.objectsDir, key);
    const temp = path.join(this.tempDir, `${randomUUID()}${TEMP_SUFFIX}`);
    this.writing.add(temp);
    try {
      return await this.writeVia(temp, target, body, signal);
    } finally {
      this.writing.delete(temp);
    }
  }

  private async writeVia(temp: string, target: string, body: Readable, signal: AbortSignal | undefined): Promise<ObjectInfo> {
    // Durable before the rename publishes it; 1 MiB buffers because the 16 KiB default turns every socket chunk
    // into its own write call (half the throughput).
    const out = new DurableFileWriter(temp, IO_CHUNK_BYTES);
    try {
      await pipeline(body, out, signal ? { signal } : {});
      await this.ensureDir(path.dirname(target));
      await fs.rename(temp, target);
      // The writer counted every byte it wrote: no stat needed for the size.
      return { sizeBytes: out.written };
    } catch (error) {
      // A body that fails at once can fail while the writer is still opening its file: removing it before the writer
      // has closed could run before the file exists, and leave it behind.
      if (!out.closed) await new Promise((resolve) => out.once('close', resolve));
      await fs.rm(temp, { force: true });
      throw diskFault(error);
    }
  }

  async read({ key, range }: ReadOptions): Promise<Readable | null> {
    const file = resolveInside(this.objectsDir, key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw diskFault(error);
    }
    // The open handle keeps the bytes readable even if the object is deleted mid-stream.
    return handle.createReadStream({ highWaterMark: IO_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const { size } = await fs.stat(resolveInside(this.objectsDir, key));
      return { sizeBytes: size };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw diskFault(error);
    }
  }

  async move({ from, to }: { from: string; to: string }): Promise<boolean> {
    const source = resolveInside(this.objectsDir, from);
    const target = resolveInside(this.objectsDir, to);
    try {
      await this.ensureDir(path.dirname(target));
      await fs.rename(source, target);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw diskFault(error);
    }
  }

  async delete(key: string): Promise<void> {
    const file = resolveInside(this.objectsDir, key);
    // unlink alone: rm would lstat first, and most deletes (a staging key after completion) find nothing there.
    try {
      await fs.unlink(file);
    } catch (error) {
      if (!isNotFound(error)) throw diskFault(error);
    }
  }

  /** mkdir -p, once per directory per process (directories are never removed, so a known one stays). */
  private async ensureDir(dir: string): Promise<void> {
    if (this.dirs.has(dir)) return;
    await fs.mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    // Keys are paths under objects/: walk the directories the prefix names, depth first, a directory at a time.
    const slash = prefix.lastIndexOf('/');
    const start = slash > 0 ? resolveInside(this.objectsDir, prefix.slice(0, slash)) : this.objectsDir;
    const pending = [start];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          pending.push(full);
          continue;
        }
        const key = path.relative(this.objectsDir, full).split(path.sep).join('/');
        if (!key.startsWith(prefix)) continue;
        try {
          yield { key, modifiedAt: (await fs.stat(full)).mtime };
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    }
  }

  /** Writable, and with room for at least one more upload: a full disk is not ready to take any. */
  async check(): Promise<void> {
    await fs.access(this.objectsDir, fs.constants.W_OK);
    await fs.access(this.tempDir, fs.constants.W_OK);
    const { bavail, bsize } = await fs.statfs(this.tempDir);
    if (bavail * bsize < MIN_FREE_BYTES) throw errors.insufficientStorage();
  }

  /** A live write touches its temp file constantly, so one idle for `idleMs` belongs to a process that died. */
  async removeAbandonedWrites(idleMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await fs.readdir(this.tempDir)) {
      const file = path.join(this.tempDir, name);
      if (!name.endsWith(TEMP_SUFFIX) || this.writing.has(file)) continue;
      try {
        const { mtimeMs } = await fs.stat(file);
        if (now - mtimeMs < idleMs) continue;
        await fs.rm(file, { force: true });
        removed += 1;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}
