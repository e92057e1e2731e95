// The shapes of direct upload: initiate (one or a batch), the signed PUT, complete (one or a batch), batch state and
// statuses. Asset fields come from assets.ts.
import { Type, type Static } from 'typebox';
import { MAX_BATCH_FILES, MAX_STATUS_IDS, type BatchStatus, type ItemStatus } from '../../domain/upload-batches.js';
import { assetFields, UploadedAsset } from './assets.js';
import { ErrorDetail } from './common.js';
import { Nullable, OptionalBody, RefOf, StringEnum, StringMap } from './helpers.js';

const BATCH_STATUSES = ['processing', 'completed', 'failed'] as const satisfies readonly BatchStatus[];
const ITEM_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const satisfies readonly ItemStatus[];

export const DirectUploadRequest = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    content_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    mime_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Alias of content_type.' })),
    size_bytes: Type.Integer({ minimum: 1 }),
    checksum_sha256: Type.Optional(Nullable(Type.String({ description: 'SHA-256 of the bytes: 64 hex characters, or 44 of base64; null for none.' }))),
  },
  { $id: 'DirectUploadRequest', additionalProperties: false },
);
export type DirectUploadRequestJson = Static<typeof DirectUploadRequest>;

export const DirectUpload = Type.Object(
  {
    asset_id: assetFields.asset_id,
    upload_url: Type.String(),
    upload_headers: StringMap(),
    expires_in_seconds: Type.Integer(),
    max_bytes: Type.Integer(),
    status: StringEnum(['pending_upload']),
  },
  { $id: 'DirectUpload' },
);
export type DirectUploadJson = Static<typeof DirectUpload>;

/** The uploaded asset with its status: what completing a direct upload answers. */
export const CompletedUpload = Type.Object({ ...UploadedAsset.properties, status: assetFields.status }, { $id: 'CompletedUpload' });
export type CompletedUploadJson = Static<typeof CompletedUpload>;

/** One item of an upload batch in the platform's shape (`video_id` holds the asset id), with ours beside it. */
const BatchItem = Type.Object({
  item_index: Type.Integer(),
  status: StringEnum(ITEM_STATUSES),
  video_id: Nullable(Type.String({ description: 'The asset id (the platform names it video_id).' })),
  error: Nullable(ErrorDetail),
  asset_id: assetFields.asset_id,
  asset_status: assetFields.status,
  filename: assetFields.filename,
  mime_type: assetFields.mime_type,
  size_bytes: assetFields.size_bytes,
  url: assetFields.url,
});

export const UploadBatch = Type.Object(
  {
    batch_id: Type.String(),
    status: StringEnum(BATCH_STATUSES),
    title: Nullable(Type.String()),
    total_items: Type.Integer(),
    counts_by_status: Type.Object({
      queued: Type.Integer(),
      processing: Type.Integer(),
      completed: Type.Integer(),
      failed: Type.Integer(),
    }),
    created_at: Type.Integer({ description: 'Unix seconds.' }),
    items: Type.Array(BatchItem),
    has_more: Type.Boolean(),
    next_token: Nullable(Type.String()),
  },
  { $id: 'UploadBatch' },
);
export type UploadBatchJson = Static<typeof UploadBatch>;

/** What starting a batch answers: the batch id and one direct upload per file. */
export const InitiatedBatch = Type.Object({ batch_id: Type.String(), items: Type.Array(RefOf(DirectUpload)) });
export type InitiatedBatchJson = Static<typeof InitiatedBatch>;

export const CompleteBody = OptionalBody(
  Type.Object({ checksum_sha256: Type.Optional(Nullable(Type.String())) }, { additionalProperties: false }),
);

export const InitiateBatchBody = Type.Object(
  {
    title: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    callback_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    files: Type.Array(RefOf(DirectUploadRequest), { minItems: 1, maxItems: MAX_BATCH_FILES }),
  },
  { additionalProperties: false },
);

export const CompleteBatchBody = Type.Object(
  { batch_id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const BatchParams = Type.Object({ batch_id: Type.String({ maxLength: 128 }) });

export const BatchQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BATCH_FILES })),
  token: Type.Optional(Type.String({ maxLength: 128 })),
});

/** What asking for a batch's completion answers (202): the work goes on in the background. */
export const CompletionRequested = Type.Object({ batch_id: Type.String() });
export type CompletionRequestedJson = Static<typeof CompletionRequested>;

// Ids of up to 128 characters and their commas.
const idList = Type.String({ maxLength: MAX_STATUS_IDS * 130 });
export const StatusesQuery = Type.Object({ asset_ids: Type.Optional(idList), batch_ids: Type.Optional(idList) });

export const AssetStatuses = Type.Object({
  data: Type.Array(
    Type.Object({
      video_id: Nullable(Type.String({ description: 'The asset id (the platform names it video_id).' })),
      status: StringEnum([...ITEM_STATUSES, 'not_found']),
      batch_id: Nullable(Type.String()),
      item_index: Nullable(Type.Integer()),
      error: Nullable(ErrorDetail),
      asset_id: Nullable(assetFields.asset_id),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type AssetStatusesJson = Static<typeof AssetStatuses>;

/** The presigned PUT of local-disk storage: its query is checked by the receiver, which binds it to the signature. */
export const SignedUploadParams = Type.Object({ asset_id: Type.String({ maxLength: 128 }) });
