// The shapes of multipart (resumable) upload, an extension of direct upload: initiate, the state with part URLs,
// and the signed part PUT of the local-disk endpoint. Completing is direct upload's own complete.
import { Type, type Static } from 'typebox';
import { MAX_PARTS } from '../../domain/multipart-plan.js';
import { PART_URLS_PAGE } from '../../domain/multipart-uploads.js';
import { assetFields } from './assets.js';
import { DirectUploadRequest } from './direct-uploads.js';
import { Nullable, StringEnum, StringMap } from './helpers.js';

export const MultipartUploadRequest = Type.Object(
  {
    ...DirectUploadRequest.properties,
    part_size_bytes: Type.Optional(
      Nullable(Type.Integer({ description: 'Bytes per part (5 MiB to 5 GiB); default 64 MiB, raised so that no upload needs more than 10,000 parts.' })),
    ),
    part_checksums: Type.Optional(
      Type.Boolean({
        description:
          'Every part will be sent with its SHA-256, signed into its URL (asked for with part_numbers and checksums_sha256); the store checks each part. Default false: part URLs carry no checksum.',
      }),
    ),
  },
  { $id: 'MultipartUploadRequest', additionalProperties: false },
);
export type MultipartUploadRequestJson = Static<typeof MultipartUploadRequest>;

const PartTarget = Type.Object({
  part_number: Type.Integer({ minimum: 1, maximum: MAX_PARTS }),
  size_bytes: Type.Integer(),
  upload_url: Type.String(),
  upload_headers: StringMap(),
});

const ReceivedPart = Type.Object({
  part_number: Type.Integer(),
  size_bytes: Type.Integer(),
  etag: Type.String(),
  checksum_sha256: Nullable(Type.String({ description: 'Lowercase hex, where the store verified and kept it.' })),
});

export const MultipartUpload = Type.Object(
  {
    asset_id: assetFields.asset_id,
    status: assetFields.status,
    filename: Nullable(Type.String()),
    content_type: Type.String(),
    size_bytes: Type.Integer(),
    part_size_bytes: Type.Integer(),
    part_count: Type.Integer(),
    part_checksums: Type.Boolean(),
    parts_received: Type.Array(ReceivedPart),
    parts: Type.Array(PartTarget, {
      description: `URLs for missing parts (or for the part_numbers asked for), at most ${PART_URLS_PAGE} at a time.`,
    }),
    next_part_number_marker: Nullable(Type.Integer({ description: 'Ask again with part_number_marker=this for the next URLs.' })),
    expires_in_seconds: Type.Integer({ description: 'How long the URLs in parts work.' }),
    upload_expires_at: Nullable(Type.Integer({ description: 'Unix seconds: when an upload not completed is aborted.' })),
    max_bytes: Type.Integer(),
  },
  { $id: 'MultipartUpload' },
);
export type MultipartUploadJson = Static<typeof MultipartUpload>;

const CommaList = Type.String({ maxLength: 100_000, pattern: '^[^\\s]*$' });

export const MultipartStateQuery = Type.Object(
  {
    part_number_marker: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PARTS })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PART_URLS_PAGE })),
    part_numbers: Type.Optional({ ...CommaList, description: 'Comma-separated part numbers: URLs for exactly these parts.' }),
    checksums_sha256: Type.Optional({
      ...CommaList,
      description: 'Comma-separated SHA-256s (hex or base64), one per part_numbers entry (empty for none): signed into their URLs.',
    }),
  },
  { additionalProperties: false },
);

export const PartParams = Type.Object({
  asset_id: Type.String({ maxLength: 128 }),
  part_number: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
});

export const PartReceived = Type.Object({
  part_number: Type.Integer(),
  size_bytes: Type.Integer(),
  etag: Type.String(),
  checksum_sha256: Nullable(Type.String()),
  status: StringEnum(['received']),
});
