// assetd's own presigned storage endpoint, for backends without presigned PUTs (local disk): PUT /uploads/:asset_id.
// No API key: the URL's signature is the credential. Errors use the API's JSON envelope.
import type { FastifyInstance } from 'fastify';
import { CHECKSUM_HEADER } from '../../domain/checksums.js';
import type { SignedUploadReceiver } from '../../domain/upload-receiver.js';
import type { SignedQuery } from '../../domain/upload-signature.js';
import { hangupSignal } from '../hangup.js';

export async function uploadEndpointRoutes(app: FastifyInstance, { receiver }: { receiver: SignedUploadReceiver }): Promise<void> {
  // The body is the file, whatever its type: the handler streams request.raw, nothing is parsed or buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.put<{ Params: { asset_id: string }; Querystring: Partial<SignedQuery> }>(
    '/uploads/:asset_id',
    {
      schema: {
        summary: 'The presigned upload URL handed out by direct upload (local-disk storage). Send upload_headers verbatim.',
        tags: ['direct upload'],
        params: { type: 'object', properties: { asset_id: { type: 'string', maxLength: 128 } } },
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
          query: request.query,
          contentType: header('content-type'),
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
