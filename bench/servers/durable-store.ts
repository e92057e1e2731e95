// The work bare-disk.ts and floor.ts both do for an upload, shared so that they do exactly the same: the body
// streamed into a new temp file under <dir>/tmp while hashed (SHA-256), fdatasync'd, renamed to <dir>/objects/<name>,
// and one row (name, size, sha256, time) inserted into SQLite in WAL mode with synchronous=NORMAL (better-sqlite3,
// as assetd's store).
import { createHash, randomBytes } from 'node:crypto';
import { close, createWriteStream, fdatasync as fdatasyncCallback, open } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import Sqlite from 'better-sqlite3';

const openFile = promisify(open);
const fdatasync = promisify(fdatasyncCallback);
const closeFile = promisify(close);

export interface DurableStore {
  /** Stores `body` as `name`; resolves once the bytes are durable and the row is in. */
  put(name: string, body: Readable): Promise<{ size: number; sha256: string }>;
  remove(name: string): Promise<void>;
  close(): void;
}

export async function openDurableStore(dir: string): Promise<DurableStore> {
  const tmp = path.join(dir, 'tmp');
  const objects = path.join(dir, 'objects');
  await fs.mkdir(tmp, { recursive: true });
  await fs.mkdir(objects, { recursive: true });
  const db = new Sqlite(path.join(dir, 'bare.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS objects (name TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO objects (name, size, sha256, created_at) VALUES (?, ?, ?, ?)');
  const remove = db.prepare('DELETE FROM objects WHERE name = ?');
  return {
    async put(name, body) {
      const temp = path.join(tmp, `${name}.${randomBytes(6).toString('hex')}`);
      // A plain fd: a FileHandle's stream keeps the handle from closing while the stream lives.
      const fd = await openFile(temp, 'wx');
      const hash = createHash('sha256');
      let size = 0;
      try {
        body.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          size += chunk.length;
        });
        await pipeline(body, createWriteStream(temp, { fd, autoClose: false, highWaterMark: 1024 * 1024 }));
        await fdatasync(fd);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error;
      } finally {
        await closeFile(fd);
      }
      await fs.rename(temp, path.join(objects, name));
      const sha256 = hash.digest('hex');
      insert.run(name, size, sha256, new Date().toISOString());
      return { size, sha256 };
    },
    async remove(name) {
      await fs.rm(path.join(objects, name), { force: true });
      remove.run(name);
    },
    close: () => db.close(),
  };
}
