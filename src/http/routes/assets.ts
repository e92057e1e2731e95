// /v3/assets: single-request upload (multipart), read, list, delete. Handlers translate HTTP to AssetService calls.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssetService, StagedAsset } from '../../domain/assets.js';
import { AppError, errors } from '../../domain/errors.js';
import { SINGLE_UPLOAD_MIMES } from '../../media/types.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { toAppError } from '../errors.js';
import { hangupSignal } from '../hangup.js';
import { assetJson, uploadedAssetJson } from '../presenters.js';
import { assetIdParams, dataOf, errorResponses } from '../schemas.js';

export interface AssetRoutesOptions {
  readonly assets: AssetService;
  readonly urls: PublicUrls;
  readonly maxUploadBytes: number;
}

/** A failure of the request body itself (malformed multipart, client gone) is the client's, never a 500. */
function bodyError(error: unknown): AppError {
  return toAppError(error) ?? errors.invalidParameter('The multipart body is malformed or was cut short.', 'body');
}

async function stageSingleFile(request: FastifyRequest, options: AssetRoutesOptions): Promise<StagedAsset> {
  const parts = request.parts({
    // One byte over the limit reaches the inspector, which refuses it with the contract's error.
    limits: { fileSize: options.maxUploadBytes + 1, files: 4, fields: 32, fieldSize: 64 * 1024, parts: 64 },
  });
  let staged: StagedAsset | null = null;
  const hangup = hangupSignal(request);
  // A parser fed by a connection that is already gone may never answer: the hang-up settles the wait instead.
  const hungUp = new Promise<never>((_, reject) => {
    const fail = () => reject(hangup.signal.reason);
    if (hangup.signal.aborted) fail();
    else hangup.signal.addEventListener('abort', fail, { once: true });
  });
  hungUp.catch(() => {});
  try {
    for (;;) {
      let next: IteratorResult<MultipartFile | { type: 'field' }>;
      try {
        next = await Promise.race([parts.next(), hungUp]);
      } catch (error) {
        throw bodyError(error);
      }
      if (next.done) break;
      const part = next.value;
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') {
        throw errors.invalidParameter(`Unexpected file part "${part.fieldname}"; send the file in a part named "file".`, part.fieldname);
      }
      if (staged) throw errors.invalidParameter('Send exactly one part named "file".', 'file');
      let sourceFailed = false;
      part.file.once('error', () => (sourceFailed = true));
      try {
        staged = await options.assets.stage({
          tenant: request.tenant,
          filename: part.filename,
          body: part.file,
          maxBytes: options.maxUploadBytes,
          accept: SINGLE_UPLOAD_MIMES,
          param: 'file',
          signal: hangup.signal,
        });
      } catch (error) {
        throw sourceFailed || hangup.signal.aborted ? bodyError(error) : error;
      }
    }
    if (!staged) throw errors.invalidParameter('A multipart part named "file" is required.', 'file');
    return staged;
  } catch (error) {
    await staged?.discard();
    throw error;
  } finally {
    hangup.dispose();
  }
}

export async function assetRoutes(app: FastifyInstance, options: AssetRoutesOptions): Promise<void> {
  const { assets, urls } = options;

  app.post(
    '/v3/assets',
    {
      schema: {
        summary: 'Upload a file (multipart/form-data, field "file"); the type is detected from the bytes.',
        tags: ['assets'],
        consumes: ['multipart/form-data'],
        response: { 200: dataOf('UploadedAsset'), ...errorResponses, 413: { $ref: 'Error#' } },
      },
    },
    async (request) => {
      if (!request.isMultipart()) {
        throw errors.invalidParameter('Send the file as multipart/form-data in a part named "file".', 'Content-Type');
      }
      const staged = await stageSingleFile(request, options);
      const asset = await staged.commit();
      return { data: uploadedAssetJson(asset, urls) };
    },
  );

  app.get<{ Params: { asset_id: string } }>(
    '/v3/assets/:asset_id',
    {
      schema: {
        summary: 'Get an asset.',
        tags: ['assets'],
        params: assetIdParams,
        response: { 200: dataOf('Asset'), ...errorResponses },
      },
    },
    async (request) => ({ data: assetJson(await assets.get(request.tenant, request.params.asset_id), urls) }),
  );

  app.get<{ Querystring: { limit: number; token?: string } }>(
    '/v3/assets',
    {
      schema: {
        summary: 'List assets, newest first.',
        tags: ['assets'],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            token: { type: 'string', maxLength: 128 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data', 'has_more', 'next_token'],
            properties: {
              data: { type: 'array', items: { $ref: 'Asset#' } },
              has_more: { type: 'boolean' },
              next_token: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const page = await assets.list(request.tenant, request.query);
      return {
        data: page.assets.map((a) => assetJson(a, urls)),
        has_more: page.nextToken !== null,
        next_token: page.nextToken,
      };
    },
  );

  app.delete<{ Params: { asset_id: string } }>(
    '/v3/assets/:asset_id',
    {
      schema: {
        summary: 'Delete an asset and its bytes; its url stops serving.',
        tags: ['assets'],
        params: assetIdParams,
        response: {
          200: {
            type: 'object',
            required: ['data'],
            properties: {
              data: {
                type: 'object',
                required: ['id', 'deleted'],
                properties: { id: { type: 'string' }, deleted: { type: 'boolean' } },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const asset = await assets.delete(request.tenant, request.params.asset_id);
      return { data: { id: asset.assetId, deleted: true } };
    },
  );
}
