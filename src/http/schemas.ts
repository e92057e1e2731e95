// JSON schemas shared by the routes: they validate requests, serialize responses, and generate /openapi.json.

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        param: { type: 'string' },
      },
    },
  },
} as const;

export const assetSchema = {
  $id: 'Asset',
  type: 'object',
  required: ['asset_id', 'status', 'mime_type', 'size_bytes', 'created_at', 'url'],
  properties: {
    asset_id: { type: 'string', example: 'asset_0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
    status: { type: 'string', enum: ['pending_upload', 'completed', 'failed', 'expired'] },
    mime_type: { type: 'string' },
    size_bytes: { type: 'integer' },
    sha256: { type: ['string', 'null'] },
    filename: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    completed_at: { type: ['string', 'null'], format: 'date-time' },
    url: { type: ['string', 'null'], description: 'Public, unguessable URL of the bytes (null until completed).' },
  },
} as const;

export const uploadedAssetSchema = {
  $id: 'UploadedAsset',
  type: 'object',
  required: ['asset_id', 'url', 'mime_type', 'size_bytes'],
  properties: {
    asset_id: { type: 'string' },
    url: { type: 'string' },
    mime_type: { type: 'string' },
    size_bytes: { type: 'integer' },
  },
} as const;

export const assetIdParams = {
  type: 'object',
  required: ['asset_id'],
  properties: { asset_id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** `{data: <ref>}` */
export function dataOf(ref: string) {
  return { type: 'object', required: ['data'], properties: { data: { $ref: `${ref}#` } } } as const;
}

export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
} as const;

export const sharedSchemas = [errorSchema, assetSchema, uploadedAssetSchema];
