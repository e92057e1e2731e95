// A reference of `npm run bench`, not a contender to beat: what assetd's stack allows. Fastify 5 with
// @fastify/multipart (assetd's framework and form parser, their defaults) in front of exactly bare-disk.ts's work
// (durable-store.ts): POST /v3/assets stores the part "file" and answers {data: {asset_id}}; DELETE /v3/assets/<id>
// removes it. No key, hooks, sniffing, events or logging: the distance from here to assetd is the cost of what assetd
// does per upload, the distance from bare to here the framework's.
import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { openDurableStore } from './durable-store.js';
import { setting } from './listen.js';

const store = await openDurableStore(setting('BENCH_DIR'));
const port = Number(setting('BENCH_PORT'));

const app = Fastify({ logger: false });
await app.register(multipart);
app.get('/healthz', async () => ({ status: 'ok' }));

app.post('/v3/assets', async (request, reply) => {
  const file = await request.file();
  if (!file || file.fieldname !== 'file') return reply.code(400).send({ error: 'send a part named file' });
  const name = randomBytes(12).toString('hex');
  await store.put(name, file.file);
  return { data: { asset_id: name } };
});

app.delete<{ Params: { id: string } }>('/v3/assets/:id', async (request) => {
  const name = /^[0-9a-f]{24}$/.exec(request.params.id)?.[0];
  if (name) await store.remove(name);
  return { deleted: Boolean(name) };
});

await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => {
  void app.close().finally(() => {
    store.close();
    process.exit(0);
  });
});
