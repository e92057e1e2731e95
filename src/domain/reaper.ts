// Housekeeping that runs at start-up and then on an interval: pending uploads past their expiry become `expired`
// (bytes deleted, a multipart upload's parts freed); once an upload URL has lapsed, whatever a late PUT left under its staging key is removed;
// abandoned temporary writes are removed; stored objects no record points to (a delete or an upload interrupted by a
// crash between its two steps) are removed once they are old enough that no upload can still be committing them;
// idempotency answers older than 24 h, and webhook events past their retention (30 days), are forgotten.
// Every step is a compare-and-set or an idempotent delete, so two processes may run it at the same time.
import type { AssetRecords, IdempotencyKeys, ObjectStorage, WebhookRecords } from './ports/index.js';
import type { DirectUploadService } from './direct-uploads.js';
import { targetOf } from './multipart-plan.js';
import { ASSET_PREFIX, assetIdOfPreviewKey, PREVIEW_PREFIX, STAGING_PREFIX, stagingKeyFor } from './ids.js';

export interface ReaperOptions {
  readonly records: AssetRecords;
  readonly idempotencyKeys: IdempotencyKeys;
  readonly storage: ObjectStorage;
  readonly uploads: DirectUploadService;
  /** Webhook events older than `eventRetentionMs` are forgotten with their deliveries (none when absent). */
  readonly webhooks?: Pick<WebhookRecords, 'purgeEvents'>;
  /** Default 30 days: the history's reach, and far past the last retry of any delivery (about 40 h). */
  readonly eventRetentionMs?: number;
  /** A temporary write untouched this long belongs to a dead process. */
  readonly abandonedAfterMs?: number;
  /**
   * An object no record points to and older than this is an orphan. An upload's object exists a moment before its
   * record is inserted, so this must be far longer than that moment (default 1 h).
   */
  readonly orphanAfterMs?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
  /** Every pass that finished, with what it removed (metrics). */
  readonly onReport?: (report: ReaperReport) => void;
}

export interface ReaperReport {
  readonly expiredUploads: number;
  readonly sweptStagingKeys: number;
  readonly abandonedWrites: number;
  readonly orphanedObjects: number;
  readonly idempotencyKeys: number;
  readonly webhookEvents: number;
}

const PAGE = 100;
const ORPHAN_PAGE = 500;
const EVENT_PAGE = 500;
const DAY_MS = 24 * 3600 * 1000;

export class Reaper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReaperReport> | null = null;

  constructor(private readonly options: ReaperOptions) {}

  /** One pass; concurrent calls in this process share it. */
  runOnce(): Promise<ReaperReport> {
    this.running ??= this.pass()
      .then((report) => {
        this.options.onReport?.(report);
        return report;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.runOnce().catch((error: unknown) => this.options.onError?.(error));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<ReaperReport> {
    const { records, storage, uploads, idempotencyKeys } = this.options;
    const now = this.options.now?.() ?? new Date();
    let expiredUploads = 0;
    for (;;) {
      const batch = await records.listExpiredUploads(now, PAGE);
      for (const asset of batch) if (await uploads.expire(asset)) expiredUploads += 1;
      if (batch.length < PAGE) break;
    }
    let sweptStagingKeys = 0;
    for (;;) {
      // An S3 presigned URL keeps working until it expires, even after complete: a late PUT lands in staging.
      const batch = await records.listLapsedUploads(now, PAGE);
      for (const asset of batch) {
        await storage.delete(stagingKeyFor(asset.assetId));
        // A completed upload's receipt key is gone (moved); a failed or expired one's may be left.
        if (asset.receipt) await storage.delete(asset.receipt.key);
        // A multipart upload that failed, or expired by a process that died before aborting it, still holds parts.
        if (asset.multipart && asset.status !== 'completed') await storage.multipart.abort(targetOf(asset, asset.multipart));
        await records.clearUploadExpiry(asset.assetId);
        sweptStagingKeys += 1;
      }
      if (batch.length < PAGE) break;
    }
    // A multipart upload whose asset still has a record is a client's resumable upload, not an abandoned write: the
    // asset's expiry ends it.
    const abandonedWrites = await storage.removeAbandonedWrites(this.options.abandonedAfterMs ?? 15 * 60 * 1000, {
      spare: (keys) => records.storageKeysInUse(keys),
    });
    const orphanedObjects = await this.removeOrphans(new Date(now.getTime() - (this.options.orphanAfterMs ?? 60 * 60 * 1000)));
    const purgedKeys = await idempotencyKeys.purge(now);
    const webhookEvents = await this.purgeWebhookEvents(new Date(now.getTime() - (this.options.eventRetentionMs ?? 30 * DAY_MS)));
    return { expiredUploads, sweptStagingKeys, abandonedWrites, orphanedObjects, idempotencyKeys: purgedKeys, webhookEvents };
  }

  private async purgeWebhookEvents(before: Date): Promise<number> {
    const { webhooks } = this.options;
    if (!webhooks) return 0;
    let purged = 0;
    for (;;) {
      const removed = await webhooks.purgeEvents(before, EVENT_PAGE);
      purged += removed;
      if (removed < EVENT_PAGE) return purged;
    }
  }

  /**
   * Asset objects (assets/…) whose storage key no record holds; staged uploads whose asset has no record, and
   * receipt-staged ones (uploads/<asset id>.<suffix>, assetd's own signed PUT) that are not the receipt their asset
   * records (a PUT killed before recording it, or one a later PUT replaced); previews (previews/…/<asset id>.…)
   * whose asset has no record. Only objects last written before `cutoff`, checked a page at a time.
   */
  private async removeOrphans(cutoff: Date): Promise<number> {
    const { records, storage } = this.options;
    let removed = 0;
    const sweep = async (prefix: string, inUse: (keys: string[]) => Promise<Set<string>>) => {
      let page: string[] = [];
      const flush = async () => {
        const used = await inUse(page);
        for (const key of page) {
          if (used.has(key)) continue;
          await storage.delete(key);
          removed += 1;
        }
        page = [];
      };
      for await (const object of storage.list(prefix)) {
        if (object.modifiedAt >= cutoff) continue;
        page.push(object.key);
        if (page.length >= ORPHAN_PAGE) await flush();
      }
      if (page.length > 0) await flush();
    };
    /** The keys whose asset (by `idOf`) has a record. */
    const ofLiveAssets = async (keys: string[], idOf: (key: string) => string) => {
      const ids = await records.assetIdsInUse(keys.map(idOf));
      return new Set(keys.filter((key) => ids.has(idOf(key))));
    };
    await sweep(ASSET_PREFIX, (keys) => records.storageKeysInUse(keys));
    await sweep(STAGING_PREFIX, async (keys) => {
      const idOf = (key: string) => key.slice(STAGING_PREFIX.length).split('.')[0]!;
      const used = new Set<string>();
      for (const key of await ofLiveAssets(keys, idOf)) {
        const id = idOf(key);
        // uploads/<asset id> is the S3 presigned PUT's target, swept when its URL lapses; a receipt-staged object
        // is in use only as its asset's recorded receipt (rare leftovers get one lookup each).
        if (key === stagingKeyFor(id) || (await records.findAssetById(id))?.receipt?.key === key) used.add(key);
      }
      return used;
    });
    await sweep(PREVIEW_PREFIX, (keys) => ofLiveAssets(keys, assetIdOfPreviewKey));
    return removed;
  }
}
