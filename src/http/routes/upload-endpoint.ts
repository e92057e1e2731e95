// assetd's own presigned storage endpoint, for backends without presigned PUTs (local disk): PUT /uploads/:asset_id,
// and PUT /uploads/:asset_id/parts/:part_number for a multipart upload's parts. No API key: the URL's signature is
// the credential. Errors use the API's JSON envelope.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { CHECKSUM_HEADER } from '../../domain/checksums.js';
import type { SignedUploadReceiver } from '../../domain/upload-receiver.js';
import type { MultipartUploadService } from '../../domain/multipart-uploads.js';
import type { SignedPartQuery, SignedQuery } from '../../domain/upload-signature.js';
import { hangupSignal } from '../hangup.js';
import { SignedUploadParams } from '../schemas/direct-uploads.js';
import { PartParams } from '../schemas/multipart-uploads.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The PUT's Content-Type as sent, kept from Fastify's parser for the signature check. */
    signedContentType: string | undefined;
  }
}

export interface UploadEndpointOptions {
  readonly receiver: SignedUploadReceiver;
  readonly multipart: MultipartUploadService;
}

export async function uploadEndpointRoutes(fastify: FastifyInstance, { receiver, multipart }: UploadEndpointOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The body is the file, whatever its type: the handler streams request.raw, nothing is parsed or buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // The Content-Type is a signed value here, not a format to parse: Fastify would refuse one it cannot parse (`a, a`
  // from a client that sent ours twice) with a 400 before the signature is checked. It is set aside for the
  // receiver, which compares it with what was signed (403 when it differs).
  app.decorateRequest('signedContentType', undefined);
  app.addHook('onRequest', async (request) => {
    request.signedContentType = request.headers['content-type'];
    delete request.headers['content-type'];
  });

  const header = (request: { headers: Record<string, string | string[] | undefined> }, name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  app.put(
    '/uploads/:asset_id/parts/:part_number',
    {
      schema: {
        summary: 'A presigned part URL of a multipart upload (local-disk storage). Send upload_headers verbatim.',
        tags: ['multipart upload'],
        params: PartParams,
      },
    },
    async (request, reply) => {
      const hangup = hangupSignal(request);
      try {
        const part = await multipart.receivePart({
          assetId: request.params.asset_id,
          partNumber: request.params.part_number,
          // The query has no schema: every field is checked against the signature (403 when malformed).
          query: request.query as Partial<SignedPartQuery>,
          contentLength: header(request, 'content-length'),
          checksumHeader: header(request, CHECKSUM_HEADER),
          body: request.raw,
          signal: hangup.signal,
        });
        const data = { part_number: part.partNumber, size_bytes: part.sizeBytes, etag: part.etag, checksum_sha256: part.sha256, status: 'received' };
        return reply.header('etag', `"${part.etag}"`).status(200).send({ data });
      } finally {
        hangup.dispose();
      }
    },
  );

  app.put(
    '/uploads/:asset_id',
    {
      schema: {
        summary: 'The presigned upload URL handed out by direct upload (local-disk storage). Send upload_headers verbatim.',
        tags: ['direct upload'],
        params: SignedUploadParams,
      },
    },
    async (request, reply) => {
      const hangup = hangupSignal(request);
      try {
        const { sha256 } = await receiver.receive({
          assetId: request.params.asset_id,
          // The query has no schema: the receiver checks every field against the signature (403 when malformed).
          query: request.query as Partial<SignedQuery>,
          contentType: request.signedContentType,
          contentLength: header(request, 'content-length'),
          checksumHeader: header(request, CHECKSUM_HEADER),
          body: request.raw,
          signal: hangup.signal,
        });
        return reply.header('etag', `"${sha256}"`).status(200).send({ data: { asset_id: request.params.asset_id, sha256 } });
      } finally {
        hangup.dispose();
      }
    },
  );
}
