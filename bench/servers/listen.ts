// What every baseline server of `npm run bench` shares: it is a child process on 127.0.0.1:$BENCH_PORT that answers
// GET /healthz (so the bench can wait for it as it waits for assetd), hands every other request to its handler, turns
// a handler's failure into a 500 with the message, and exits on SIGTERM.
import http from 'node:http';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>;

export function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${process.argv[1]}: set ${name}\n`);
    process.exit(2);
  }
  return value;
}

export function answer(response: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) response.writeHead(status).end();
  else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The object name of `/o/<name>`, or null. */
export function objectName(url: string | undefined): string | null {
  return /^\/o\/([A-Za-z0-9_-]{1,100})$/.exec(url ?? '')?.[1] ?? null;
}

export function listen(handler: Handler, close: () => Promise<void> = async () => {}): void {
  const port = Number(setting('BENCH_PORT'));
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/healthz') return answer(response, 200, { status: 'ok' });
    handler(request, response).catch((error: unknown) => {
      if (!response.headersSent) answer(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    });
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void close().finally(() => process.exit(0)));
  });
}
