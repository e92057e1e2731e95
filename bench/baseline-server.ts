// The baseline of bench/put.ts (`npm run bench:put`), run as its own child process (like assetd, so each has its own
// event loop and RSS): a bare node:http server on 127.0.0.1:$BENCH_BASELINE_PORT. PUT /<name> pipes the body to
// $BENCH_BASELINE_DIR/<name> with fs.createWriteStream (defaults; flush/fsync on close only with
// BENCH_BASELINE_FSYNC=1) and answers 200; GET /healthz answers 200. Nothing else: no hashing, no sniffing, no framework.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.env.BENCH_BASELINE_DIR;
const port = Number(process.env.BENCH_BASELINE_PORT);
const flush = process.env.BENCH_BASELINE_FSYNC === '1';
if (!dir || !Number.isInteger(port) || port <= 0) {
  process.stderr.write('baseline-server: set BENCH_BASELINE_DIR and BENCH_BASELINE_PORT\n');
  process.exit(2);
}

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const name = /^\/([A-Za-z0-9_-]{1,64})$/.exec(request.url ?? '')?.[1];
  if (request.method !== 'PUT' || !name) {
    response.writeHead(404).end();
    return;
  }
  const out = createWriteStream(path.join(dir, name), { flush });
  pipeline(request, out).then(
    () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: out.bytesWritten })),
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});
server.listen(port, '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
