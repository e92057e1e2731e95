// The web console's files: the page at `/`, its script and its style, read once at start (src/console). No API key:
// the page asks the user for one. Its CSP lets it run only its own script, call any origin (the API, and a bucket's
// presigned PUT URL) and show previews from memory and media from wherever the public urls point.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface StaticFile {
  readonly urlPath: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  'media-src *',
  'connect-src *',
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export async function consoleRoutes(app: FastifyInstance, { files }: { files: readonly StaticFile[] }): Promise<void> {
  for (const file of files) {
    const etag = `"${createHash('sha256').update(file.body).digest('base64url').slice(0, 27)}"`;
    app.get(file.urlPath, { schema: { hide: true } }, async (request, reply) => {
      void reply
        .header('content-type', file.contentType)
        .header('etag', etag)
        // Revalidated on every load (a 304 when unchanged), so a new version shows at once.
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', PAGE_CSP);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.send(file.body);
    });
  }
}
