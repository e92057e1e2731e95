// Direct upload routes: initiate (single and batch), complete (single and batch), batch state, and statuses.
import type { FastifyInstance } from 'fastify';
import type { DirectUploadRequest, DirectUploadService } from '../../domain/direct-uploads.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { MAX_BATCH_FILES, MAX_STATUS_IDS, type UploadBatchService } from '../../domain/upload-batches.js';
import { batchJson, completedUploadJson, directUploadJson } from '../presenters.js';
import { assetIdParams, dataOf, errorResponses } from '../schemas.js';

export interface DirectUploadRoutesOptions {
  readonly uploads: DirectUploadService;
  readonly batches: UploadBatchService;
  readonly urls: PublicUrls;
}

interface DirectUploadBody {
  filename: string;
  content_type?: string;
  mime_type?: string;
  size_bytes: number;
  checksum_sha256?: string;
}

const toRequest = (body: DirectUploadBody): DirectUploadRequest => ({
  filename: body.filename,
  contentType: body.content_type,
  mimeType: body.mime_type,
  sizeBytes: body.size_bytes,
  checksumSha256: body.checksum_sha256,
});

const withConflicts = { ...errorResponses, 409: { $ref: 'Error#' }, 410: { $ref: 'Error#' } };

export async function directUploadRoutes(app: FastifyInstance, options: DirectUploadRoutesOptions): Promise<void> {
  const { uploads, batches, urls } = options;

  app.post<{ Body: DirectUploadBody }>(
    '/v3/assets/direct-uploads',
    {
      schema: {
        summary: 'Start a direct upload: returns a presigned URL to PUT the bytes to.',
        tags: ['direct upload'],
        body: { $ref: 'DirectUploadRequest#' },
        response: { 200: dataOf('DirectUpload'), ...errorResponses },
      },
    },
    async (request) => ({ data: directUploadJson(await uploads.initiate(request.tenant, toRequest(request.body))) }),
  );

  app.post<{ Params: { asset_id: string }; Body: { checksum_sha256?: string } | undefined }>(
    '/v3/assets/:asset_id/complete',
    {
      schema: {
        summary: 'Finish a direct upload: verifies the stored bytes and makes the asset usable. Idempotent.',
        tags: ['direct upload'],
        params: assetIdParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { checksum_sha256: { type: 'string' } },
        },
        response: { 200: dataOf('CompletedUpload'), ...withConflicts },
      },
    },
    async (request) => {
      const asset = await uploads.complete(request.tenant, request.params.asset_id, request.body?.checksum_sha256);
      return { data: completedUploadJson(asset, urls) };
    },
  );

  app.post<{ Body: { files: DirectUploadBody[]; title?: string } }>(
    '/v3/assets/direct-uploads/batches',
    {
      schema: {
        summary: `Start up to ${MAX_BATCH_FILES} direct uploads at once (all accepted or none).`,
        tags: ['direct upload'],
        body: {
          type: 'object',
          required: ['files'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', maxLength: 255 },
            files: { type: 'array', minItems: 1, maxItems: MAX_BATCH_FILES, items: { $ref: 'DirectUploadRequest#' } },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: {
                type: 'object',
                required: ['batch_id', 'items'],
                properties: { batch_id: { type: 'string' }, items: { type: 'array', items: { $ref: 'DirectUpload#' } } },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const batch = await batches.initiate(request.tenant, request.body.files.map(toRequest), request.body.title ?? null);
      return { data: { batch_id: batch.batchId, items: batch.items.map(directUploadJson) } };
    },
  );

  app.post<{ Body: { batch_id: string } }>(
    '/v3/assets/complete/batches',
    {
      schema: {
        summary: 'Complete every upload of a batch; each item reports its own result.',
        tags: ['direct upload'],
        body: {
          type: 'object',
          required: ['batch_id'],
          additionalProperties: false,
          properties: { batch_id: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: { 200: dataOf('UploadBatch'), ...errorResponses },
      },
    },
    async (request) => ({ data: batchJson(await batches.complete(request.tenant, request.body.batch_id), urls) }),
  );

  app.get<{ Params: { batch_id: string } }>(
    '/v3/assets/batches/:batch_id',
    {
      schema: {
        summary: 'A batch and the state of each of its uploads.',
        tags: ['direct upload'],
        params: { type: 'object', properties: { batch_id: { type: 'string', maxLength: 128 } } },
        response: { 200: dataOf('UploadBatch'), ...errorResponses },
      },
    },
    async (request) => ({ data: batchJson(await batches.get(request.tenant, request.params.batch_id), urls) }),
  );

  app.get<{ Querystring: { asset_ids: string } }>(
    '/v3/assets/statuses',
    {
      schema: {
        summary: `The status of up to ${MAX_STATUS_IDS} assets (not_found for ids the caller does not have).`,
        tags: ['assets'],
        querystring: {
          type: 'object',
          required: ['asset_ids'],
          properties: { asset_ids: { type: 'string', minLength: 1, maxLength: 100 * 130 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: {
                type: 'array',
                items: { type: 'object', properties: { asset_id: { type: 'string' }, status: { type: 'string' } } },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.asset_ids.split(',').map((id) => id.trim()).filter((id) => id !== ''))];
      const statuses = await batches.statuses(request.tenant, ids);
      return { data: statuses.map((s) => ({ asset_id: s.assetId, status: s.status })) };
    },
  );
}
