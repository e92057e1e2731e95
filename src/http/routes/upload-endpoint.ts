// assetd's own presigned storage endpoint, for backends without presigned PUTs (local disk): PUT /uploads/:asset_id.
// No API key: the URL's signature is the credential. Errors use the API's JSON envelope.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { CHECKSUM_HEADER } from '../../domain/checksums.js';
import type { SignedUploadReceiver } from '../../domain/upload-receiver.js';
import type { SignedQuery } from '../../domain/upload-signature.js';
import { hangupSignal } from '../hangup.js';
import { SignedUploadParams } from '../schemas/direct-uploads.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The PUT's Content-Type as sent, kept from Fastify's parser for the signature check. */
    signedContentType: string | undefined;
  }
}

export async function uploadEndpointRoutes(fastify: FastifyInstance, { receiver }: { receiver: SignedUploadReceiver }): Promise<void> {
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
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      try {
        const { sha256 } = await receiver.receive({
          assetId: request.params.asset_id,
          // The query has no schema: the receiver checks every field against the signature (403 when malformed).
          query: request.query as Partial<SignedQuery>,
          contentType: request.signedContentType,
          contentLength: header('content-length'),
          checksumHeader: header(CHECKSUM_HEADER),
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
