// GET /v3/assets/{asset_id}/preview: a smaller picture of an image asset, made once and then read from storage. The
// caching and safety headers are those of /files/, except that the answer is private: it needs the API key.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance } from 'fastify';
import type { PreviewService } from '../../domain/previews.js';
import { AssetIdParams } from '../schemas/assets.js';
import { errorResponse, errorResponses } from '../schemas/common.js';
import { NotModified, PreviewBytes, PreviewQuery } from '../schemas/previews.js';

const matches = (header: string | undefined, etag: string): boolean =>
  header !== undefined && header.split(',').some((tag) => ['*', etag].includes(tag.trim().replace(/^W\//, '')));

export async function previewRoutes(fastify: FastifyInstance, { previews }: { previews: PreviewService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v3/assets/:asset_id/preview',
    {
      schema: {
        summary: 'A preview of an image asset (PNG, JPEG) as WebP, JPEG or PNG, at most `width` pixels wide.',
        tags: ['assets'],
        params: AssetIdParams,
        querystring: PreviewQuery,
        response: { 200: PreviewBytes, 304: NotModified, ...errorResponses, 409: errorResponse },
      },
      exposeHeadRoute: false,
    },
    async (request, reply) => {
      const target = await previews.target(request.tenant, request.params.asset_id, request.query);
      const name = `${(target.asset.filename ?? target.asset.assetId).replace(/\.[^.]*$/, '')}-${target.width}.${target.format}`;
      const notModified = matches(request.headers['if-none-match'], target.etag);
      // Made (or read) before any header is set, so a refusal is a plain error answer, never cached.
      const content = notModified ? null : await previews.open(target);
      void reply
        .header('etag', target.etag)
        // private, not public as /files/ is: a shared cache must not hand one key's answer to another request.
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('last-modified', (target.asset.completedAt ?? target.asset.createdAt).toUTCString())
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox");
      if (!content) return reply.status(304).send(undefined);
      return reply
        .header('content-type', target.mimeType)
        .header('content-length', content.sizeBytes)
        .header('content-disposition', contentDisposition(name, { type: 'inline' }))
        .send(content.body);
    },
  );
}
