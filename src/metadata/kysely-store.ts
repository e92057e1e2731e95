// MetadataStore over Kysely: the queries are written once and run on SQLite or PostgreSQL; each adapter only opens
// the connection and says which dialect it is.
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Asset, AssetPage, AssetStatus, ListAssetsOptions, MetadataStore } from './port.js';
import type { AssetsTable, Database } from './schema.js';

type AssetRow = Selectable<AssetsTable>;

// pg returns bigint columns as strings; SQLite returns numbers. Both fit a JS number for our ranges.
const num = (value: number | string): number => Number(value);

function toAsset(row: AssetRow): Asset {
  return {
    assetId: row.asset_id,
    tenant: row.tenant,
    status: row.status as AssetStatus,
    mimeType: row.mime_type,
    sizeBytes: num(row.size_bytes),
    sha256: row.sha256,
    filename: row.filename,
    storageKey: row.storage_key,
    urlToken: row.url_token,
    createdAt: new Date(num(row.created_at)),
    completedAt: row.completed_at === null ? null : new Date(num(row.completed_at)),
  };
}

export class KyselyMetadataStore implements MetadataStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async insertAsset(asset: Asset): Promise<void> {
    await this.db
      .insertInto('assets')
      .values({
        asset_id: asset.assetId,
        tenant: asset.tenant,
        status: asset.status,
        mime_type: asset.mimeType,
        size_bytes: asset.sizeBytes,
        sha256: asset.sha256,
        filename: asset.filename,
        storage_key: asset.storageKey,
        url_token: asset.urlToken,
        created_at: asset.createdAt.getTime(),
        completed_at: asset.completedAt?.getTime() ?? null,
      })
      .execute();
  }

  async findAsset(tenant: string, assetId: string): Promise<Asset | null> {
    const row = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('asset_id', '=', assetId)
      .executeTakeFirst();
    return row ? toAsset(row) : null;
  }

  async findAssetByUrlToken(urlToken: string): Promise<Asset | null> {
    const row = await this.db.selectFrom('assets').selectAll().where('url_token', '=', urlToken).executeTakeFirst();
    return row ? toAsset(row) : null;
  }

  async listAssets({ tenant, limit, after }: ListAssetsOptions): Promise<AssetPage> {
    let query = this.db.selectFrom('assets').selectAll().where('tenant', '=', tenant);
    if (after !== undefined) query = query.where('seq', '<', after);
    // One extra row tells whether another page exists without a COUNT.
    const rows = await query.orderBy('seq', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { assets: page.map(toAsset), next: rows.length > limit && last ? num(last.seq) : null };
  }

  async deleteAsset(tenant: string, assetId: string): Promise<Asset | null> {
    const row = await this.db
      .deleteFrom('assets')
      .where('tenant', '=', tenant)
      .where('asset_id', '=', assetId)
      .returningAll()
      .executeTakeFirst();
    return row ? toAsset(row) : null;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
