// AssetRecords over Kysely: the asset and batch queries, written once for SQLite and PostgreSQL. Status changes and
// the finalization lease are compare-and-sets in one UPDATE, so concurrent callers in any process agree.
import type { Kysely, Selectable } from 'kysely';
import type {
  Asset,
  AssetPage,
  AssetRecords,
  AssetStatus,
  AssetTransition,
  FinalizationLease,
  FinishedBatch,
  ListAssetsOptions,
  MultipartState,
  UploadBatch,
  UploadReceipt,
  WebhookEvent,
} from '../../domain/ports/index.js';
import { dateOrNull, num, type AssetsTable, type Database, type UploadBatchesTable } from '../schema.js';
import { recordEvent } from './webhook-records.js';

type AssetRow = Selectable<AssetsTable>;

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
    completedAt: dateOrNull(row.completed_at),
    declaredSha256: row.declared_sha256,
    expiresAt: dateOrNull(row.expires_at),
    batchId: row.batch_id,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    width: row.width === null ? null : num(row.width),
    height: row.height === null ? null : num(row.height),
    durationSeconds: row.duration_seconds === null ? null : num(row.duration_seconds),
    receipt: row.receipt === null ? null : (JSON.parse(row.receipt) as UploadReceipt),
    ...(row.multipart === null ? {} : { multipart: JSON.parse(row.multipart) as MultipartState }),
  };
}

function toBatch(row: Selectable<UploadBatchesTable>): UploadBatch {
  return {
    batchId: row.batch_id,
    tenant: row.tenant,
    title: row.title,
    callbackUrl: row.callback_url,
    createdAt: new Date(num(row.created_at)),
    completionRequestedAt: dateOrNull(row.completion_requested_at),
  };
}

function toRow(asset: Asset) {
  return {
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
    declared_sha256: asset.declaredSha256,
    expires_at: asset.expiresAt?.getTime() ?? null,
    batch_id: asset.batchId,
    failure_code: asset.failureCode,
    failure_message: asset.failureMessage,
    width: asset.width,
    height: asset.height,
    duration_seconds: asset.durationSeconds,
    receipt: asset.receipt === null ? null : JSON.stringify(asset.receipt),
    multipart: asset.multipart ? JSON.stringify(asset.multipart) : null,
  };
}

export class KyselyAssetRecords implements AssetRecords {
  constructor(private readonly db: Kysely<Database>) {}

  async insertAsset(asset: Asset, options: { event?: WebhookEvent } = {}): Promise<void> {
    const { event } = options;
    if (!event) {
      await this.db.insertInto('assets').values(toRow(asset)).execute();
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('assets').values(toRow(asset)).execute();
      await recordEvent(trx, { event });
    });
  }

  async insertBatch(batch: UploadBatch, assets: readonly Asset[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('upload_batches')
        .values({
          batch_id: batch.batchId,
          tenant: batch.tenant,
          title: batch.title,
          callback_url: batch.callbackUrl,
          created_at: batch.createdAt.getTime(),
          completion_requested_at: batch.completionRequestedAt?.getTime() ?? null,
        })
        .execute();
      if (assets.length > 0) await trx.insertInto('assets').values(assets.map(toRow)).execute();
    });
  }

  async findBatch(tenant: string, batchId: string): Promise<UploadBatch | null> {
    const row = await this.db
      .selectFrom('upload_batches')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('batch_id', '=', batchId)
      .executeTakeFirst();
    return row ? toBatch(row) : null;
  }

  async findBatches(tenant: string, batchIds: readonly string[]): Promise<UploadBatch[]> {
    if (batchIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('upload_batches')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('batch_id', 'in', [...batchIds])
      .execute();
    return rows.map(toBatch);
  }

  async markBatchCompletionRequested(batchId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('upload_batches')
      .set({ completion_requested_at: at.getTime() })
      .where('batch_id', '=', batchId)
      .where('completion_requested_at', 'is', null)
      .execute();
  }

  async listBatchAssets(tenant: string, batchId: string): Promise<Asset[]> {
    const rows = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('batch_id', '=', batchId)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(toAsset);
  }

  async findAssetById(assetId: string): Promise<Asset | null> {
    const row = await this.db.selectFrom('assets').selectAll().where('asset_id', '=', assetId).executeTakeFirst();
    return row ? toAsset(row) : null;
  }

  async findAssets(tenant: string, assetIds: readonly string[]): Promise<Asset[]> {
    if (assetIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('asset_id', 'in', [...assetIds])
      .execute();
    return rows.map(toAsset);
  }

  async transitionAsset(transition: AssetTransition): Promise<boolean> {
    const { event, batchFinished } = transition;
    if (!event && !batchFinished) return (await this.transitionIn(this.db, transition)) !== null;
    return this.db.transaction().execute(async (trx) => {
      const asset = await this.transitionIn(trx, transition);
      if (!asset) return false;
      if (event) await recordEvent(trx, { event: event(asset) });
      if (batchFinished && asset.batchId) await this.finishBatchIfDone(trx, asset.batchId, batchFinished);
      return true;
    });
  }

  /** The update of transitionAsset; the asset as it now is, or null when the compare-and-set did not match. */
  private async transitionIn(
    db: Kysely<Database>,
    { assetId, from, to, patch = {}, unlessFinalizingAt, finalizedBy }: AssetTransition,
  ): Promise<Asset | null> {
    let query = db
      .updateTable('assets')
      .set({
        status: to,
        ...(patch.mimeType !== undefined ? { mime_type: patch.mimeType } : {}),
        ...(patch.sha256 !== undefined ? { sha256: patch.sha256 } : {}),
        ...(patch.storageKey !== undefined ? { storage_key: patch.storageKey } : {}),
        ...(patch.completedAt !== undefined ? { completed_at: patch.completedAt?.getTime() ?? null } : {}),
        ...(patch.failureCode !== undefined ? { failure_code: patch.failureCode } : {}),
        ...(patch.failureMessage !== undefined ? { failure_message: patch.failureMessage } : {}),
        ...(patch.width !== undefined ? { width: patch.width } : {}),
        ...(patch.height !== undefined ? { height: patch.height } : {}),
        ...(patch.durationSeconds !== undefined ? { duration_seconds: patch.durationSeconds } : {}),
      })
      .where('asset_id', '=', assetId)
      .where('status', '=', from);
    if (finalizedBy !== undefined) query = query.where('finalizing_by', '=', finalizedBy);
    if (unlessFinalizingAt) {
      const t = unlessFinalizingAt.getTime();
      query = query.where((eb) => eb.or([eb('finalizing_until', 'is', null), eb('finalizing_until', '<=', t)]));
    }
    const row = await query.returningAll().executeTakeFirst();
    return row ? toAsset(row) : null;
  }

  /**
   * Records the batch's finished event if no item is pending any more and it was not recorded yet. The batch row is
   * locked first (an update), so two last items settling at once in two transactions see each other: the second
   * waits for the first, then counts its outcome.
   */
  private async finishBatchIfDone(trx: Kysely<Database>, batchId: string, make: (batch: FinishedBatch) => WebhookEvent): Promise<void> {
    const locked = await trx
      .updateTable('upload_batches')
      .set((eb) => ({ finished_at: eb.ref('finished_at') }))
      .where('batch_id', '=', batchId)
      .where('finished_at', 'is', null)
      .returning(['tenant', 'callback_url'])
      .executeTakeFirst();
    if (!locked) return;
    const counts = await trx
      .selectFrom('assets')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
      .where('batch_id', '=', batchId)
      .groupBy('status')
      .execute();
    const countsByStatus = Object.fromEntries(counts.map((c) => [c.status, num(c.n)]));
    if ((countsByStatus.pending_upload ?? 0) > 0) return;
    await trx.updateTable('upload_batches').set({ finished_at: Date.now() }).where('batch_id', '=', batchId).execute();
    await recordEvent(trx, { event: make({ batchId, tenant: locked.tenant, countsByStatus }), callbackUrl: locked.callback_url });
  }

  async claimFinalization({ assetId, holder, now, until }: FinalizationLease): Promise<boolean> {
    const t = now.getTime();
    const result = await this.db
      .updateTable('assets')
      .set({ finalizing_until: until.getTime(), finalizing_by: holder })
      .where('asset_id', '=', assetId)
      .where('status', '=', 'pending_upload')
      .where((eb) => eb.or([eb('finalizing_until', 'is', null), eb('finalizing_until', '<=', t)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async renewFinalization({ assetId, holder, now, until }: FinalizationLease): Promise<boolean> {
    const result = await this.db
      .updateTable('assets')
      .set({ finalizing_until: until.getTime() })
      .where('asset_id', '=', assetId)
      .where('finalizing_by', '=', holder)
      .where('finalizing_until', '>', now.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseFinalization({ assetId, holder }: { assetId: string; holder: string }): Promise<void> {
    await this.db
      .updateTable('assets')
      .set({ finalizing_until: null, finalizing_by: null })
      .where('asset_id', '=', assetId)
      .where('finalizing_by', '=', holder)
      .execute();
  }

  async listExpiredUploads(now: Date, limit: number): Promise<Asset[]> {
    const rows = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('status', '=', 'pending_upload')
      .where('expires_at', '<=', now.getTime())
      .orderBy('expires_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toAsset);
  }

  async listLapsedUploads(now: Date, limit: number): Promise<Asset[]> {
    const rows = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('status', '!=', 'pending_upload')
      .where('expires_at', '<=', now.getTime())
      .orderBy('expires_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toAsset);
  }

  async storageKeysInUse(storageKeys: readonly string[]): Promise<Set<string>> {
    if (storageKeys.length === 0) return new Set();
    const rows = await this.db.selectFrom('assets').select('storage_key').where('storage_key', 'in', [...storageKeys]).execute();
    return new Set(rows.map((r) => r.storage_key));
  }

  async assetIdsInUse(assetIds: readonly string[]): Promise<Set<string>> {
    if (assetIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('assets').select('asset_id').where('asset_id', 'in', [...assetIds]).execute();
    return new Set(rows.map((r) => r.asset_id));
  }

  async recordReceipt({ assetId, receipt, previous }: { assetId: string; receipt: UploadReceipt; previous: UploadReceipt | null }): Promise<boolean> {
    // The stored text is compared as written: the receipt read back is re-serialised the same way (key order kept).
    const result = await this.db
      .updateTable('assets')
      .set({ receipt: JSON.stringify(receipt) })
      .where('asset_id', '=', assetId)
      .where('status', '=', 'pending_upload')
      .where('receipt', previous === null ? 'is' : '=', previous === null ? null : JSON.stringify(previous))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async clearUploadExpiry(assetId: string): Promise<void> {
    await this.db.updateTable('assets').set({ expires_at: null }).where('asset_id', '=', assetId).execute();
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

  async listRecentCompleted({ tenant, mimeTypes, limit }: { tenant: string; mimeTypes: readonly string[]; limit: number }): Promise<Asset[]> {
    if (mimeTypes.length === 0) return [];
    const rows = await this.db
      .selectFrom('assets')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('status', '=', 'completed')
      .where('mime_type', 'in', [...mimeTypes])
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toAsset);
  }

  async deleteAsset(
    tenant: string,
    assetId: string,
    options: { event?: (asset: Asset) => WebhookEvent; batchFinished?: (batch: FinishedBatch) => WebhookEvent } = {},
  ): Promise<Asset | null> {
    const { event, batchFinished } = options;
    const remove = async (db: Kysely<Database>) => {
      const row = await db.deleteFrom('assets').where('tenant', '=', tenant).where('asset_id', '=', assetId).returningAll().executeTakeFirst();
      return row ? toAsset(row) : null;
    };
    if (!event && !batchFinished) return remove(this.db);
    return this.db.transaction().execute(async (trx) => {
      const asset = await remove(trx);
      if (!asset) return null;
      if (event) await recordEvent(trx, { event: event(asset) });
      // A batch's last pending item deleted leaves none pending: the batch is finished.
      if (batchFinished && asset.batchId && asset.status === 'pending_upload') await this.finishBatchIfDone(trx, asset.batchId, batchFinished);
      return asset;
    });
  }
}
