// The asset shapes of /v3/assets. Every field of an asset is defined once, in assetFields; the shapes pick from it.
import { Type, type Static } from 'typebox';
import type { AssetStatus } from '../../domain/ports/index.js';
import { Defaulted, Nullable, RefOf, StringEnum } from './helpers.js';

export const ASSET_STATUSES = ['pending_upload', 'completed', 'failed', 'expired'] as const satisfies readonly AssetStatus[];

export const assetFields = {
  asset_id: Type.String({ example: 'asset_0f1e2d3c4b5a69788796a5b4c3d2e1f0' }),
  status: StringEnum(ASSET_STATUSES),
  mime_type: Type.String(),
  size_bytes: Type.Integer(),
  sha256: Nullable(Type.String()),
  filename: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  completed_at: Nullable(Type.String({ format: 'date-time' })),
  url: Nullable(Type.String({ description: 'Public, unguessable URL of the bytes (null until completed).' })),
  width: Type.Integer({ description: 'Pixels, where the bytes tell (PNG, JPEG).' }),
  height: Type.Integer({ description: 'Pixels, where the bytes tell (PNG, JPEG).' }),
  duration_seconds: Type.Number({ description: 'Length, where the bytes tell (WAV).' }),
};

/** The url of an asset that is completed, so never null. */
const publicUrl = Type.String();

/** The platform's fields of an asset: assetd's own follow them in the same object. */
const platformAssetFields = {
  id: Type.String({ description: 'The asset id (the same as asset_id).' }),
  name: Type.String({ description: 'The file name given at upload, or the asset id when none was.' }),
  type: Type.String({ description: 'image, video, audio, document, archive or subtitle: the kind of its bytes.' }),
  owner: Type.String({ description: "The tenant of the API key that uploaded it (assetd's user)." }),
  space_id: Type.String({ description: "The tenant's space: every asset of a key's tenant is in one space." }),
  uploaded_at: Type.Integer({ description: 'Unix seconds: when the bytes became the asset (created_at until then).' }),
  folder_id: Nullable(Type.String({ description: 'Always null: assetd has no folders.' })),
};

export const Asset = Type.Object(
  {
    ...platformAssetFields,
    asset_id: assetFields.asset_id,
    status: assetFields.status,
    mime_type: assetFields.mime_type,
    size_bytes: assetFields.size_bytes,
    sha256: Type.Optional(assetFields.sha256),
    filename: Type.Optional(assetFields.filename),
    created_at: assetFields.created_at,
    completed_at: Type.Optional(assetFields.completed_at),
    url: assetFields.url,
    width: Type.Optional(assetFields.width),
    height: Type.Optional(assetFields.height),
    duration_seconds: Type.Optional(assetFields.duration_seconds),
  },
  { $id: 'Asset' },
);
export type AssetJson = Static<typeof Asset>;

/** What POST /v3/assets answers. */
export const UploadedAsset = Type.Object(
  { asset_id: assetFields.asset_id, url: publicUrl, mime_type: assetFields.mime_type, size_bytes: assetFields.size_bytes },
  { $id: 'UploadedAsset' },
);
export type UploadedAssetJson = Static<typeof UploadedAsset>;

export const AssetIdParams = Type.Object({ asset_id: Type.String({ minLength: 1, maxLength: 128 }) });

export const ListAssetsQuery = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 255, description: 'Only assets of this owner (the tenant).' })),
  folder_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only assets in this folder: none, as assetd has no folders.' })),
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100 }), 20),
  token: Type.Optional(Type.String({ maxLength: 128 })),
});

export const AssetPage = Type.Object({
  data: Type.Array(RefOf(Asset)),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type AssetPageJson = Static<typeof AssetPage>;

export const DeletedAsset = Type.Object({ id: Type.String(), deleted: Type.Boolean() });
export type DeletedAssetJson = Static<typeof DeletedAsset>;

export const SearchQuery = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 256 }),
  type: StringEnum(['image', 'icon']),
  scope: Defaulted(StringEnum(['personal', 'public']), 'personal'),
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 50 }), 20),
  token: Type.Optional(Type.String({ maxLength: 128 })),
});

export const SearchResults = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      type: StringEnum(['image', 'icon']),
      width: Nullable(Type.Integer()),
      height: Nullable(Type.Integer()),
      orientation: Nullable(Type.String({ description: 'landscape, portrait or square; null when the size is unknown.' })),
      is_transparent: Nullable(Type.Boolean({ description: 'Always null: assetd does not read transparency.' })),
      asset_id: assetFields.asset_id,
      name: Type.String(),
      mime_type: assetFields.mime_type,
      score: Type.Integer({ description: 'How well the name and facts matched the query (higher first).' }),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type SearchResultsJson = Static<typeof SearchResults>;
