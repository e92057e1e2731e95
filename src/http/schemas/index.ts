// The API's shapes as TypeBox schemas, one file per route group: each validates requests, types the handlers and
// presenters (Static<typeof X>), and documents /openapi.json. The named ones are registered once, by $id.
import type { TSchema } from 'typebox';
import { Asset, UploadedAsset } from './assets.js';
import { ErrorEnvelope } from './common.js';
import { CompletedUpload, DirectUpload, DirectUploadRequest, UploadBatch } from './direct-uploads.js';
import { FileInput } from './jobs.js';
import { MultipartUpload, MultipartUploadRequest } from './multipart-uploads.js';

/** The schemas with an $id, referenced by `RefOf` and listed as components of /openapi.json. */
export const sharedSchemas: readonly TSchema[] = [
  ErrorEnvelope,
  Asset,
  UploadedAsset,
  DirectUploadRequest,
  DirectUpload,
  CompletedUpload,
  MultipartUploadRequest,
  MultipartUpload,
  UploadBatch,
  FileInput,
];
