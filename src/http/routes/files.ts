// Public file serving at the unguessable url of each asset: no API key, HTTP caching, single byte ranges.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import type { AssetService } from '../../domain/assets.js';
import { errors } from '../../domain/errors.js';
import { URL_TOKEN_PATTERN } from '../../domain/ids.js';
import type { Asset } from '../../domain/ports/index.js';
import type { ByteRange } from '../../domain/ports/index.js';
import { FileParams } from '../schemas/files.js';

export interface FileRoutesOptions {
  readonly assets: AssetService;
}

const etagOf = (asset: Asset): string => `"${asset.sha256 ?? asset.assetId}"`;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/** The one range to serve, null for the whole file; throws 416 when no requested range fits. */
function requestedRange(request: FastifyRequest, asset: Asset, etag: string): ByteRange | null {
  const header = request.headers.range;
  if (!header) return null;
  const ifRange = request.headers['if-range'];
  if (typeof ifRange === 'string' && ifRange.trim() !== etag) return null;
  const ranges = parseRange(asset.sizeBytes, header, { combine: true });
  if (ranges === -1) throw errors.rangeNotSatisfiable();
  // Malformed or multiple ranges: RFC 9110 lets a server ignore Range and send the whole representation.
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return null;
  const [range] = ranges;
  return range ? { start: range.start, end: range.end } : null;
}

/** `name` is the last path segment: the url token and an extension. */
async function findAsset(name: string, assets: AssetService): Promise<Asset> {
  const token = name.replace(/\.[a-z0-9]{1,5}$/, '');
  const asset = URL_TOKEN_PATTERN.test(token) ? await assets.findPublic(token) : null;
  if (!asset) throw errors.notFound('File');
  return asset;
}

function setRepresentationHeaders(reply: FastifyReply, asset: Asset, etag: string): void {
  void reply
    .header('content-type', asset.mimeType)
    .header('etag', etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'public, max-age=31536000, immutable')
    .header('last-modified', (asset.completedAt ?? asset.createdAt).toUTCString())
    .header('x-content-type-options', 'nosniff')
    // The bytes are user content on our origin: no scripts, no embedding of other resources.
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', contentDisposition(asset.filename ?? asset.assetId, { type: 'inline' }));
}

async function serve(request: FastifyRequest, name: string, reply: FastifyReply, assets: AssetService, withBody: boolean) {
  const asset = await findAsset(name, assets);
  const etag = etagOf(asset);
  let range: ByteRange | null = null;
  const notModified = matchesEtag(request.headers['if-none-match'], etag);
  if (!notModified) {
    try {
      range = requestedRange(request, asset, etag);
    } catch (error) {
      void reply.header('content-range', `bytes */${asset.sizeBytes}`);
      throw error;
    }
  }
  // Open before any header is set, so a storage failure is answered as a plain JSON error.
  const body = withBody && !notModified ? await assets.openContent(asset, range ?? undefined) : null;
  setRepresentationHeaders(reply, asset, etag);
  if (notModified) return reply.status(304).send();
  void reply.header('content-length', range ? range.end - range.start + 1 : asset.sizeBytes);
  if (range) void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${asset.sizeBytes}`);
  return reply.send(body);
}

export async function fileRoutes(fastify: FastifyInstance, { assets }: FileRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const schema = {
    summary: 'The bytes of an asset, at the unguessable url the API hands out. No API key.',
    tags: ['files'],
    params: FileParams,
  };
  app.get('/files/:name', { schema, exposeHeadRoute: false }, (request, reply) =>
    serve(request, request.params.name, reply, assets, true),
  );
  app.head('/files/:name', { schema }, (request, reply) => serve(request, request.params.name, reply, assets, false));
}
