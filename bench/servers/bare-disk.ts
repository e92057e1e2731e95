// The embedded baseline of `npm run bench` ("the limit"), a bare node:http server in its own process, with the
// durability assetd promises and nothing else. PUT /o/<name> streams the body into a new temp file under
// $BENCH_DIR/tmp while hashing it (SHA-256), fdatasyncs it, renames it to $BENCH_DIR/objects/<name>, and inserts one
// row (name, size, sha256, time) into SQLite in WAL mode with synchronous=NORMAL (better-sqlite3, as assetd's store),
// then answers 200 {size, sha256}. DELETE /o/<name> removes the file and the row.
import { createHash, randomBytes } from 'node:crypto';
import { close, createWriteStream, fdatasync as fdatasyncCallback, open } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import Sqlite from 'better-sqlite3';
import { answer, listen, objectName, setting } from './listen.js';

const openFile = promisify(open);
const fdatasync = promisify(fdatasyncCallback);
const closeFile = promisify(close);

const dir = setting('BENCH_DIR');
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

listen(
  async (request, response) => {
    const name = objectName(request.url);
    if (!name) return answer(response, 404);
    const target = path.join(objects, name);
    if (request.method === 'DELETE') {
      await fs.rm(target, { force: true });
      remove.run(name);
      return answer(response, 200, { deleted: true });
    }
    if (request.method !== 'PUT') return answer(response, 405);

    const temp = path.join(tmp, `${name}.${randomBytes(6).toString('hex')}`);
    // A plain fd: a FileHandle's stream keeps the handle from closing while the stream lives.
    const fd = await openFile(temp, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    try {
      request.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await pipeline(request, createWriteStream(temp, { fd, autoClose: false, highWaterMark: 1024 * 1024 }));
      await fdatasync(fd);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    } finally {
      await closeFile(fd);
    }
    await fs.rename(temp, target);
    const sha256 = hash.digest('hex');
    insert.run(name, size, sha256, new Date().toISOString());
    answer(response, 200, { size, sha256 });
  },
  async () => void db.close(),
);
