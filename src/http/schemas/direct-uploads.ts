// The shapes of direct upload: initiate (one or a batch), the signed PUT, complete (one or a batch), batch state and
// statuses. Asset fields come from assets.ts.
import { Type, type Static } from 'typebox';
import { MAX_BATCH_FILES, MAX_STATUS_IDS, type BatchStatus } from '../../domain/upload-batches.js';
import { ASSET_STATUSES, assetFields, UploadedAsset } from './assets.js';
import { ErrorDetail } from './common.js';
import { Nullable, OptionalBody, RefOf, StringEnum, StringMap } from './helpers.js';

const BATCH_STATUSES = ['pending_upload', 'completed', 'failed', 'partial'] as const satisfies readonly BatchStatus[];

export const DirectUploadRequest = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    content_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    mime_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Alias of content_type.' })),
    size_bytes: Type.Integer({ minimum: 1 }),
    checksum_sha256: Type.Optional(Type.String({ description: 'SHA-256 of the bytes: 64 hex characters, or 44 of base64.' })),
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

/** One asset of an upload batch, with the error that failed it. */
const BatchItem = Type.Object({
  asset_id: assetFields.asset_id,
  status: assetFields.status,
  filename: Type.Optional(assetFields.filename),
  mime_type: Type.Optional(assetFields.mime_type),
  size_bytes: Type.Optional(assetFields.size_bytes),
  url: Type.Optional(assetFields.url),
  error: Type.Optional(Nullable(ErrorDetail)),
});

export const UploadBatch = Type.Object(
  {
    batch_id: Type.String(),
    title: Type.Optional(Nullable(Type.String())),
    status: StringEnum(BATCH_STATUSES),
    created_at: Type.Optional(assetFields.created_at),
    items: Type.Array(BatchItem),
  },
  { $id: 'UploadBatch' },
);
export type UploadBatchJson = Static<typeof UploadBatch>;

/** What starting a batch answers: the batch id and one direct upload per file. */
export const InitiatedBatch = Type.Object({ batch_id: Type.String(), items: Type.Array(RefOf(DirectUpload)) });
export type InitiatedBatchJson = Static<typeof InitiatedBatch>;

export const CompleteBody = OptionalBody(
  Type.Object({ checksum_sha256: Type.Optional(Type.String()) }, { additionalProperties: false }),
);

export const InitiateBatchBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 255 })),
    files: Type.Array(RefOf(DirectUploadRequest), { minItems: 1, maxItems: MAX_BATCH_FILES }),
  },
  { additionalProperties: false },
);

export const CompleteBatchBody = Type.Object(
  { batch_id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const BatchParams = Type.Object({ batch_id: Type.String({ maxLength: 128 }) });

export const StatusesQuery = Type.Object({
  // Ids of up to 128 characters and their commas.
  asset_ids: Type.String({ minLength: 1, maxLength: MAX_STATUS_IDS * 130 }),
});

export const AssetStatuses = Type.Array(
  Type.Object({ asset_id: assetFields.asset_id, status: StringEnum([...ASSET_STATUSES, 'not_found']) }),
);
export type AssetStatusesJson = Static<typeof AssetStatuses>;

/** The presigned PUT of local-disk storage: its query is checked by the receiver, which binds it to the signature. */
export const SignedUploadParams = Type.Object({ asset_id: Type.String({ maxLength: 128 }) });
