// Multipart (resumable) upload routes, an extension of the platform's API: initiate, and the state that lists the
// parts received and hands out URLs for the missing ones. Completing is POST /v3/assets/{asset_id}/complete, and
// DELETE /v3/assets/{asset_id} aborts a pending one.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';
import type { MultipartUploadService } from '../../domain/multipart-uploads.js';
import { multipartUploadJson } from '../multipart-presenters.js';
import { AssetIdParams } from '../schemas/assets.js';
import { Data, errorResponse, errorResponses } from '../schemas/common.js';
import { RefOf } from '../schemas/helpers.js';
import { MultipartStateQuery, MultipartUpload, MultipartUploadRequest } from '../schemas/multipart-uploads.js';

/** `1,2,3` → [1, 2, 3]; anything but whole numbers is refused. */
function partNumbersOf(list: string | undefined): number[] | undefined {
  if (list === undefined || list === '') return undefined;
  return list.split(',').map((entry) => {
    if (!/^\d{1,7}$/.test(entry)) throw errors.invalidParameter('part_numbers must be comma-separated whole numbers.', 'part_numbers');
    return Number(entry);
  });
}

export async function multipartUploadRoutes(fastify: FastifyInstance, { uploads }: { uploads: MultipartUploadService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v3/assets/multipart-uploads',
    {
      schema: {
        summary: 'Start a resumable upload in parts (up to ASSETD_MULTIPART_MAX_BYTES): returns a presigned URL per part.',
        tags: ['multipart upload'],
        body: RefOf(MultipartUploadRequest),
        response: { 200: Data(RefOf(MultipartUpload)), ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const view = await uploads.initiate(request.tenant, {
        filename: body.filename,
        contentType: body.content_type,
        mimeType: body.mime_type,
        sizeBytes: body.size_bytes,
        checksumSha256: body.checksum_sha256,
        partSizeBytes: body.part_size_bytes,
        partChecksums: body.part_checksums,
      });
      return { data: multipartUploadJson(view, uploads.maxBytes) };
    },
  );

  app.get(
    '/v3/assets/multipart-uploads/:asset_id',
    {
      schema: {
        summary: 'A multipart upload: the parts received, and fresh URLs for the missing ones (or for the part_numbers asked for).',
        tags: ['multipart upload'],
        params: AssetIdParams,
        querystring: MultipartStateQuery,
        response: { 200: Data(RefOf(MultipartUpload)), ...errorResponses, 409: errorResponse, 410: errorResponse },
      },
    },
    async (request) => {
      const { query } = request;
      const partNumbers = partNumbersOf(query.part_numbers);
      const checksums = query.checksums_sha256 === undefined ? undefined : query.checksums_sha256.split(',').map((c) => c || null);
      const view = await uploads.state(request.tenant, request.params.asset_id, {
        marker: query.part_number_marker,
        limit: query.limit,
        partNumbers,
        checksums,
      });
      return { data: multipartUploadJson(view, uploads.maxBytes) };
    },
  );
}
