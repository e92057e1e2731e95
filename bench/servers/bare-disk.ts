// The embedded baseline of `npm run bench` ("the limit"), a bare node:http server in its own process, with the
// durability assetd promises and nothing else (durable-store.ts). PUT /o/<name> stores the body as <name> and answers
// 200 {size, sha256}; DELETE /o/<name> removes the file and the row.
import { openDurableStore } from './durable-store.js';
import { answer, listen, objectName, setting } from './listen.js';

const store = await openDurableStore(setting('BENCH_DIR'));

listen(
  async (request, response) => {
    const name = objectName(request.url);
    if (!name) return answer(response, 404);
    if (request.method === 'DELETE') {
      await store.remove(name);
      return answer(response, 200, { deleted: true });
    }
    if (request.method !== 'PUT') return answer(response, 405);
    answer(response, 200, await store.put(name, request));
  },
  async () => store.close(),
);
