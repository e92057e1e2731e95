// A file origin on 127.0.0.1 for URL-input tests: serves given files, redirects, errors, stalls and oversized
// bodies, records every request it gets (so a test can prove a refused URL was never fetched), and takes webhooks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OriginRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface Origin {
  readonly url: string;
  readonly port: number;
  readonly requests: OriginRequest[];
  /** Serves `body` at `path`; `redirect` answers 302 to it instead. */
  file(path: string, body: Buffer, contentType?: string): void;
  redirect(path: string, location: string): void;
  /** A webhook receiver at `path` that answers `statuses` in turn, then 204 to every later request, each after `delayMs`. */
  hook(path: string, statuses: number[], delayMs?: number): void;
  close(): Promise<void>;
}

const ZEROS = Buffer.alloc(64 * 1024);
const pngHead = () => Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

export async function startOrigin(): Promise<Origin> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const redirects = new Map<string, string>();
  const hooks = new Map<string, { statuses: number[]; delayMs: number }>();
  const requests: OriginRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const file = files.get(path);
      if (file) {
        res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
        res.end(file.body);
      } else if (redirects.has(path)) {
        res.writeHead(302, { location: redirects.get(path) });
        res.end();
      } else if (path === '/huge' || path === '/huge-unannounced') {
        // A 33 MiB PNG: announced up front, or streamed without a length so only counting can stop it.
        const total = 33 * 1024 * 1024;
        res.writeHead(200, path === '/huge' ? { 'content-length': total } : {});
        const head = pngHead();
        res.write(head);
        let sent = head.length;
        const pump = () => {
          while (sent < total) {
            sent += ZEROS.length;
            if (!res.write(ZEROS)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (sent = total));
        pump();
      } else if (path === '/stall') {
        res.writeHead(200, { 'content-length': 1_000_000 });
        res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        // ...and nothing more: the fetcher's timeout must end it (the socket is destroyed on close()).
      } else if (path === '/hook' || hooks.has(path)) {
        const hook = hooks.get(path);
        const status = hook?.statuses.shift() ?? 204;
        setTimeout(() => {
          res.writeHead(status);
          res.end();
        }, hook?.delayMs ?? 0);
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    file: (path, body, contentType = 'application/octet-stream') => void files.set(path, { body, type: contentType }),
    redirect: (path, location) => void redirects.set(path, location),
    hook: (path, statuses, delayMs = 0) => void hooks.set(path, { statuses: [...statuses], delayMs }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
