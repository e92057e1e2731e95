// A reference of `npm run bench`, not a contender to beat: what assetd's stack allows. Fastify 5 with
// @fastify/multipart (assetd's framework and form parser, their defaults) in front of exactly bare-disk.ts's work:
// POST /v3/assets streams the part "file" into a new temp file under $BENCH_DIR/tmp while hashing it (SHA-256),
// fdatasyncs it, renames it into $BENCH_DIR/objects, inserts one SQLite row (WAL, synchronous=NORMAL) and answers
// {data: {asset_id}}; DELETE /v3/assets/<id> removes both. No key, hooks, sniffing, events or logging: the distance
// from here to assetd is the cost of what assetd does per upload, the distance from bare to here the framework's.
import { createHash, randomBytes } from 'node:crypto';
import { close, createWriteStream, fdatasync as fdatasyncCallback, open } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import multipart from '@fastify/multipart';
import Sqlite from 'better-sqlite3';
import Fastify from 'fastify';
import { setting } from './listen.js';

const openFile = promisify(open);
const fdatasync = promisify(fdatasyncCallback);
const closeFile = promisify(close);

const dir = setting('BENCH_DIR');
const port = Number(setting('BENCH_PORT'));
const tmp = path.join(dir, 'tmp');
const objects = path.join(dir, 'objects');
await fs.mkdir(tmp, { recursive: true });
await fs.mkdir(objects, { recursive: true });

const db = new Sqlite(path.join(dir, 'floor.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS objects (name TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO objects (name, size, sha256, created_at) VALUES (?, ?, ?, ?)');
const remove = db.prepare('DELETE FROM objects WHERE name = ?');

const app = Fastify({ logger: false });
await app.register(multipart);
app.get('/healthz', async () => ({ status: 'ok' }));

app.post('/v3/assets', async (request, reply) => {
  const file = await request.file();
  if (!file || file.fieldname !== 'file') return reply.code(400).send({ error: 'send a part named file' });
  const name = randomBytes(12).toString('hex');
  const temp = path.join(tmp, name);
  // A plain fd, as bare-disk.ts: a FileHandle's stream keeps the handle from closing while the stream lives.
  const fd = await openFile(temp, 'wx');
  const hash = createHash('sha256');
  let size = 0;
  try {
    file.file.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await pipeline(file.file, createWriteStream(temp, { fd, autoClose: false, highWaterMark: 1024 * 1024 }));
    await fdatasync(fd);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  } finally {
    await closeFile(fd);
  }
  await fs.rename(temp, path.join(objects, name));
  insert.run(name, size, hash.digest('hex'), new Date().toISOString());
  return { data: { asset_id: name } };
});

app.delete<{ Params: { id: string } }>('/v3/assets/:id', async (request) => {
  const name = /^[0-9a-f]{24}$/.exec(request.params.id)?.[0];
  if (!name) return { deleted: false };
  await fs.rm(path.join(objects, name), { force: true });
  remove.run(name);
  return { deleted: true };
});

await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => {
  void app.close().finally(() => {
    db.close();
    process.exit(0);
  });
});
