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
    width: { type: 'integer', description: 'Pixels, where the bytes tell (PNG, JPEG).' },
    height: { type: 'integer', description: 'Pixels, where the bytes tell (PNG, JPEG).' },
    duration_seconds: { type: 'number', description: 'Length, where the bytes tell (WAV).' },
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

export const sharedSchemas: object[] = [errorSchema, assetSchema, uploadedAssetSchema];

export const directUploadRequestSchema = {
  $id: 'DirectUploadRequest',
  type: 'object',
  required: ['filename', 'size_bytes'],
  additionalProperties: false,
  properties: {
    filename: { type: 'string', minLength: 1, maxLength: 1024 },
    content_type: { type: 'string', minLength: 1, maxLength: 255 },
    mime_type: { type: 'string', minLength: 1, maxLength: 255, description: 'Alias of content_type.' },
    size_bytes: { type: 'integer', minimum: 1 },
    checksum_sha256: { type: 'string', description: 'Lowercase hex SHA-256 of the bytes.' },
  },
} as const;

export const directUploadSchema = {
  $id: 'DirectUpload',
  type: 'object',
  required: ['asset_id', 'upload_url', 'upload_headers', 'expires_in_seconds', 'max_bytes', 'status'],
  properties: {
    asset_id: { type: 'string' },
    upload_url: { type: 'string' },
    upload_headers: { type: 'object', additionalProperties: { type: 'string' } },
    expires_in_seconds: { type: 'integer' },
    max_bytes: { type: 'integer' },
    status: { type: 'string', enum: ['pending_upload'] },
  },
} as const;

export const completedUploadSchema = {
  $id: 'CompletedUpload',
  type: 'object',
  required: ['asset_id', 'url', 'mime_type', 'size_bytes', 'status'],
  properties: {
    asset_id: { type: 'string' },
    url: { type: 'string' },
    mime_type: { type: 'string' },
    size_bytes: { type: 'integer' },
    status: { type: 'string' },
  },
} as const;

export const batchSchema = {
  $id: 'UploadBatch',
  type: 'object',
  required: ['batch_id', 'status', 'items'],
  properties: {
    batch_id: { type: 'string' },
    title: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['pending_upload', 'completed', 'failed', 'partial'] },
    created_at: { type: 'string', format: 'date-time' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['asset_id', 'status'],
        properties: {
          asset_id: { type: 'string' },
          status: { type: 'string' },
          filename: { type: ['string', 'null'] },
          mime_type: { type: 'string' },
          size_bytes: { type: 'integer' },
          url: { type: ['string', 'null'] },
          error: {
            type: ['object', 'null'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, param: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

sharedSchemas.push(directUploadRequestSchema, directUploadSchema, completedUploadSchema, batchSchema);

export const fileInputSchema = {
  $id: 'FileInput',
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['asset_id', 'url', 'base64'] },
    asset_id: { type: 'string', maxLength: 128 },
    url: { type: 'string', maxLength: 8192 },
    media_type: { type: 'string', maxLength: 255 },
    data: { type: 'string' },
  },
} as const;

sharedSchemas.push(fileInputSchema);
