// Housekeeping that runs at start-up and then on an interval: pending uploads past their expiry become `expired`
// (bytes deleted); once an upload URL has lapsed, whatever a late PUT left under its staging key is removed;
// abandoned temporary writes are removed; idempotency answers older than 24 h are forgotten.
// Every step is a compare-and-set or an idempotent delete, so two processes may run it at the same time.
import type { AssetRecords, IdempotencyKeys, ObjectStorage } from './ports/index.js';
import type { DirectUploadService } from './direct-uploads.js';
import { stagingKeyFor } from './ids.js';

export interface ReaperOptions {
  readonly records: AssetRecords;
  readonly idempotencyKeys: IdempotencyKeys;
  readonly storage: ObjectStorage;
  readonly uploads: DirectUploadService;
  /** A temporary write untouched this long belongs to a dead process. */
  readonly abandonedAfterMs?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

export interface ReaperReport {
  readonly expiredUploads: number;
  readonly sweptStagingKeys: number;
  readonly abandonedWrites: number;
  readonly idempotencyKeys: number;
}

const PAGE = 100;

export class Reaper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReaperReport> | null = null;

  constructor(private readonly options: ReaperOptions) {}

  /** One pass; concurrent calls in this process share it. */
  runOnce(): Promise<ReaperReport> {
    this.running ??= this.pass().finally(() => (this.running = null));
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
        await records.clearUploadExpiry(asset.assetId);
        sweptStagingKeys += 1;
      }
      if (batch.length < PAGE) break;
    }
    const abandonedWrites = await storage.removeAbandonedWrites(this.options.abandonedAfterMs ?? 15 * 60 * 1000);
    const purgedKeys = await idempotencyKeys.purge(now);
    return { expiredUploads, sweptStagingKeys, abandonedWrites, idempotencyKeys: purgedKeys };
  }
}
