// /v3/assets: single-request upload (multipart), read, list, delete. Handlers translate HTTP to AssetService calls.
import type { MultipartFile } from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssetSearch } from '../../domain/asset-search.js';
import type { AssetService, StagedAsset } from '../../domain/assets.js';
import { AppError, errors } from '../../domain/errors.js';
import { SINGLE_UPLOAD_MIMES } from '../../media/types.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { toAppError } from '../errors.js';
import { hangupSignal } from '../hangup.js';
import { assetJson, assetPageJson, deletedAssetJson, searchResultsJson, uploadedAssetJson } from '../presenters.js';
import { Asset, AssetIdParams, AssetPage, DeletedAsset, ListAssetsQuery, SearchQuery, SearchResults, UploadedAsset } from '../schemas/assets.js';
import { Data, errorResponse, errorResponses } from '../schemas/common.js';
import { RefOf } from '../schemas/helpers.js';

export interface AssetRoutesOptions {
  readonly assets: AssetService;
  readonly search: AssetSearch;
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

export async function assetRoutes(fastify: FastifyInstance, options: AssetRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { assets, urls } = options;

  app.post(
    '/v3/assets',
    {
      schema: {
        summary: 'Upload a file (multipart/form-data, field "file"); the type is detected from the bytes.',
        tags: ['assets'],
        consumes: ['multipart/form-data'],
        response: { 200: Data(RefOf(UploadedAsset)), ...errorResponses, 413: errorResponse },
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

  app.get(
    '/v3/assets/search',
    {
      schema: {
        summary: "Search the caller's own images by name and facts (scope=personal); scope=public has no library here.",
        tags: ['assets'],
        querystring: SearchQuery,
        response: { 200: SearchResults, ...errorResponses },
      },
    },
    async (request) => searchResultsJson(await options.search.search(request.tenant, request.query), urls),
  );

  app.get(
    '/v3/assets/:asset_id',
    {
      schema: {
        summary: 'Get an asset.',
        tags: ['assets'],
        params: AssetIdParams,
        response: { 200: Data(RefOf(Asset)), ...errorResponses },
      },
    },
    async (request) => ({ data: assetJson(await assets.get(request.tenant, request.params.asset_id), urls) }),
  );

  app.get(
    '/v3/assets',
    {
      schema: {
        summary: 'List assets, newest first.',
        tags: ['assets'],
        querystring: ListAssetsQuery,
        response: { 200: AssetPage, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, token, username, folder_id: folderId } = request.query;
      return assetPageJson(await assets.list(request.tenant, { limit, token, owner: username, folderId }), urls);
    },
  );

  app.delete(
    '/v3/assets/:asset_id',
    {
      schema: {
        summary: 'Delete an asset and its bytes; its url stops serving.',
        tags: ['assets'],
        params: AssetIdParams,
        response: { 200: Data(DeletedAsset), ...errorResponses },
      },
    },
    async (request) => ({ data: deletedAssetJson(await assets.delete(request.tenant, request.params.asset_id)) }),
  );
}
