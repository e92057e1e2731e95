// The MetadataStore port: asset records (and, as the API grows, uploads, idempotency keys and jobs). Domain code
// sees only this interface; test/contract/metadata.case.ts holds every adapter (SQLite now, PostgreSQL later) to it.

export type AssetStatus = 'pending_upload' | 'completed' | 'failed' | 'expired';

export interface Asset {
  readonly assetId: string;
  readonly tenant: string;
  readonly status: AssetStatus;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly sha256: string | null;
  readonly filename: string | null;
  readonly storageKey: string;
  /** The secret path segment of the public url: knowing an asset id does not give its bytes. */
  readonly urlToken: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export interface ListAssetsOptions {
  readonly tenant: string;
  readonly limit: number;
  /** Position after which to continue (from a previous page's `next`), newest first. */
  readonly after?: number;
}

export interface AssetPage {
  readonly assets: readonly Asset[];
  /** Position to pass as `after` for the next page, or null on the last page. */
  readonly next: number | null;
}

export interface MetadataStore {
  readonly dialect: 'sqlite' | 'postgres';
  insertAsset(asset: Asset): Promise<void>;
  findAsset(tenant: string, assetId: string): Promise<Asset | null>;
  findAssetByUrlToken(urlToken: string): Promise<Asset | null>;
  listAssets(options: ListAssetsOptions): Promise<AssetPage>;
  /** Removes the record and returns it, or null when the tenant has no such asset. */
  deleteAsset(tenant: string, assetId: string): Promise<Asset | null>;
  /** Throws when the store cannot serve (used by the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
