// Completing a direct upload: one finalizer at a time across every process (a lease on the asset's row). The holder
// freezes the staged bytes (moves them to the asset's key, so a late PUT cannot change what is verified; a multipart
// upload is assembled there instead, multipart-assembly.ts), reads them
// once to check size, sniffed type and SHA-256, and settles the status by compare-and-set; everyone else waits for
// that outcome. Also expiry, which must not race a finalization under way.
import { randomUUID } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseChecksum } from './checksums.js';
import { AppError, errors } from './errors.js';
import type { AssetEvents } from './events.js';
import { stagingKeyFor } from './ids.js';
import { UploadInspector } from './inspect.js';
import { assembleMultipart } from './multipart-assembly.js';
import { targetOf } from './multipart-plan.js';
import type { Asset, AssetRecords, AssetTransition, ObjectStorage, UploadReceipt } from './ports/index.js';
import { judgeUpload, type Verdict } from './upload-verdict.js';

export interface UploadFinalizerOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly now?: () => Date;
  /** Makes the asset and batch events recorded with each transition (none when absent). */
  readonly events?: AssetEvents;
}

const NOT_UPLOADED_YET = 'Uploaded object not found yet. Retry after upload PUT returns 200.';
/**
 * A finalizer's lease is short and renewed while it works, so the lease of one that died (kill -9, a lost replica)
 * lapses within seconds and a complete after a restart takes over at once, however large the upload.
 */
export const FINALIZE_LEASE_MS = 10_000;
const FINALIZE_RENEW_MS = 2_500;
/** How long a concurrent complete waits for the holder before answering 409 (clients retry on 409). */
const FINALIZE_WAIT_MS = 60 * 1000;
const FINALIZE_POLL_MS = 50;

export class UploadFinalizer {
  private readonly now: () => Date;
  /** One finalization per asset in this process; the records' compare-and-set covers other processes. */
  private readonly finalizing = new Map<string, Promise<Asset>>();

  constructor(private readonly options: UploadFinalizerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async complete(tenant: string, assetId: string, checksumSha256?: string | null): Promise<Asset> {
    const given = parseChecksum(checksumSha256, 'checksum_sha256');
    const asset = await this.options.records.findAsset(tenant, assetId);
    if (!asset) throw errors.notFound('Asset', 'asset_id');
    let running = this.finalizing.get(assetId);
    if (!running) {
      running = this.finalize(asset, given).finally(() => this.finalizing.delete(assetId));
      this.finalizing.set(assetId, running);
    }
    const completed = await running;
    // A caller that joined someone else's finalization still has its own checksum checked.
    if (given && completed.sha256 !== given) {
      throw errors.checksumMismatch('The SHA-256 of the stored bytes does not match checksum_sha256.', 'checksum_sha256');
    }
    return completed;
  }

  /**
   * Marks a pending upload past its expiry `expired` and removes its bytes; false when it was no longer pending or
   * is being completed right now (a live finalization lease).
   */
  async expire(asset: Asset): Promise<boolean> {
    const { records, storage } = this.options;
    const expired = await records.transitionAsset({
      assetId: asset.assetId,
      from: 'pending_upload',
      to: 'expired',
      unlessFinalizingAt: this.now(),
      ...this.eventsOf('asset.expired'),
    });
    if (!expired) return false;
    this.options.events?.recorded();
    if (asset.multipart) await storage.multipart.abort(targetOf(asset, asset.multipart));
    await storage.delete(stagingKeyFor(asset.assetId));
    const receiptKey = (await records.findAssetById(asset.assetId))?.receipt?.key;
    if (receiptKey) await storage.delete(receiptKey);
    await storage.delete(asset.storageKey);
    return true;
  }

  /** The event of a transition to `eventType`, and the batch's when it leaves no item pending. */
  private eventsOf(eventType: 'asset.completed' | 'asset.failed' | 'asset.expired'): Pick<AssetTransition, 'event' | 'batchFinished'> {
    const events = this.options.events;
    if (!events) return {};
    return { event: (asset) => events.asset(eventType, asset), batchFinished: (batch) => events.batchFinished(batch) };
  }

  /** The outcome of an upload that is no longer pending, as complete() reports it. */
  private settled(asset: Asset): Asset {
    if (asset.status === 'completed') return asset;
    if (asset.status === 'expired') throw errors.uploadExpired();
    throw new AppError(
      (asset.failureCode ?? 'invalid_parameter') as AppError['code'],
      asset.failureMessage ?? 'The upload failed verification.',
    );
  }

  /**
   * One finalizer at a time across every process: a lease on the row. The holder freezes the staged bytes (moves
   * them to the asset's key), verifies what it froze, and settles the status; everyone else waits for the outcome.
   */
  private async finalize(found: Asset, given: string | null): Promise<Asset> {
    const { records } = this.options;
    const { assetId } = found;
    const deadline = Date.now() + FINALIZE_WAIT_MS;
    // The row complete() just read serves the first look; every later look (after a wait) reads it again.
    let fresh: Asset | null = found;
    for (;;) {
      const asset = fresh ?? (await records.findAssetById(assetId));
      fresh = null;
      if (!asset) throw errors.notFound('Asset', 'asset_id');
      if (asset.status !== 'pending_upload') return this.settled(asset);
      if (asset.expiresAt && asset.expiresAt <= this.now()) {
        await this.expire(asset);
        continue;
      }
      const now = this.now();
      const holder = randomUUID();
      const leased = await records.claimFinalization({ assetId, holder, now, until: new Date(now.getTime() + FINALIZE_LEASE_MS) });
      if (leased) return this.finalizeHolding(asset, given, holder);
      if (Date.now() > deadline) throw errors.conflict('The upload is being completed by another request; retry.');
      await new Promise((resolve) => setTimeout(resolve, FINALIZE_POLL_MS));
    }
  }

  private async finalizeHolding(asset: Asset, given: string | null, holder: string): Promise<Asset> {
    const { records, storage } = this.options;
    const { assetId } = asset;
    let transitioned = false;
    const renewal = this.keepLease(assetId, holder);
    try {
      const { receipt } = asset;
      // A multipart upload is frozen by assembling it (multipart-assembly.ts); a single PUT's bytes by moving them.
      const verdict = asset.multipart ? await assembleMultipart(storage, asset, given) : await this.freezeAndJudge(asset, given);
      const outcome =
        verdict instanceof AppError
          ? { to: 'failed' as const, patch: { failureCode: verdict.code, failureMessage: verdict.message } }
          : { to: 'completed' as const, patch: { sha256: verdict.sha256, completedAt: this.now(), ...verdict.facts } };
      // Only while the lease is still ours: a successor that took it over (we stalled past it) settles instead.
      transitioned = await records.transitionAsset({
        assetId,
        from: 'pending_upload',
        to: outcome.to,
        patch: outcome.patch,
        finalizedBy: holder,
        // Transitioned after the freeze: the bytes are already readable at the asset's url.
        ...this.eventsOf(outcome.to === 'completed' ? 'asset.completed' : 'asset.failed'),
      });
      if (transitioned) this.options.events?.recorded();
      const final = await records.findAssetById(assetId);
      // Lost the lease before settling: the successor owns the frozen bytes and the outcome.
      if (!transitioned && final?.status === 'pending_upload') throw errors.conflict('The upload is being completed by another request; retry.');
      // Failed, or expired under us after our lease ran out: the frozen bytes belong to no asset.
      if (!final || final.status !== 'completed') await storage.delete(asset.storageKey);
      // A PUT that raced the freeze is left in staging; it can never become this asset's bytes.
      if (final?.status === 'completed') await storage.delete(stagingKeyFor(assetId));
      if (final && final.status !== 'pending_upload' && final.receipt && final.receipt.key !== receipt?.key) {
        await storage.delete(final.receipt.key);
      }
      if (!final) throw errors.notFound('Asset', 'asset_id');
      // The verdict itself says more (its param) than the failure recorded for later calls.
      if (verdict instanceof AppError && transitioned) throw verdict;
      return this.settled(final);
    } finally {
      renewal.stop();
      if (!transitioned) await records.releaseFinalization({ assetId, holder }).catch(() => {});
    }
  }

  /**
   * Freezes a single PUT's bytes first, so a PUT that lands while we verify cannot change what gets published, then
   * judges them. An earlier holder that died after its move left the bytes at the asset's key: verify those.
   */
  private async freezeAndJudge(asset: Asset, given: string | null): Promise<Verdict> {
    const { receipt } = asset;
    if (!receipt && this.options.storage.moveReading) {
      const verdict = await this.judgeWhileMoving(asset, given);
      if (verdict) return verdict;
    }
    const moved = await this.options.storage.move({ from: receipt?.key ?? stagingKeyFor(asset.assetId), to: asset.storageKey });
    if (!moved && !(await this.options.storage.stat(asset.storageKey))) throw errors.conflict(NOT_UPLOADED_YET);
    // The PUT's receipt describes exactly the bytes just frozen: judge those without reading them again.
    return moved && receipt ? judge(asset, receipt, given) : this.verify(asset, given);
  }

  /** Renews the lease every FINALIZE_RENEW_MS until stopped; a failed renewal is left to the settling update. */
  private keepLease(assetId: string, holder: string): { stop(): void } {
    const timer = setInterval(() => {
      const now = this.now();
      this.options.records
        .renewFinalization({ assetId, holder, now, until: new Date(now.getTime() + FINALIZE_LEASE_MS) })
        .catch(() => {});
    }, FINALIZE_RENEW_MS);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /**
   * A store whose move copies (S3): the staged bytes are read while the store copies that same version to the
   * asset's key, so the freeze and the one read take the time of the longer, not of both. A PUT that replaces the
   * staged bytes meanwhile makes the copy fail its precondition: then the new bytes are judged. Null when nothing is
   * staged (an earlier holder already moved it): the caller judges what is at the asset's key.
   */
  private async judgeWhileMoving(asset: Asset, given: string | null): Promise<Verdict | null> {
    for (;;) {
      const reading = await this.options.storage.moveReading!({ from: stagingKeyFor(asset.assetId), to: asset.storageKey });
      if (!reading) return null;
      let verdict: Verdict;
      try {
        verdict = await this.inspect(asset, given, reading.sizeBytes, reading.body);
      } catch (error) {
        // The copy goes on without the read: let it finish, so a retried complete finds the bytes in one place.
        await reading.moved().catch(() => {});
        throw error;
      }
      if (await reading.moved()) return verdict;
    }
  }

  /** Reads the frozen object once: exact size, type sniffed from its first bytes, SHA-256 against every checksum. */
  private async verify(asset: Asset, given: string | null): Promise<Verdict> {
    const stored = await this.options.storage.stat(asset.storageKey);
    // Gone since the freeze (deleted meanwhile): nothing to judge, so no verdict.
    if (!stored) throw errors.conflict(NOT_UPLOADED_YET);
    const body = await this.options.storage.read({ key: asset.storageKey });
    if (!body) throw errors.conflict(NOT_UPLOADED_YET);
    return this.inspect(asset, given, stored.sizeBytes, body);
  }

  /** Judges a body of `sizeBytes`: exact size, the type sniffed from its first bytes, SHA-256 against every checksum. */
  private async inspect(asset: Asset, given: string | null, sizeBytes: number, body: Readable): Promise<Verdict> {
    if (sizeBytes !== asset.sizeBytes) {
      body.destroy();
      return errors.sizeMismatch(`The uploaded object is ${sizeBytes} bytes; size_bytes was ${asset.sizeBytes}.`);
    }
    const inspector = new UploadInspector({
      maxBytes: asset.sizeBytes,
      exactBytes: asset.sizeBytes,
      accept: new Set([asset.mimeType]),
      param: 'content_type',
    });
    try {
      await pipeline(body, inspector, new Writable({ write: (_chunk, _encoding, done) => done() }));
    } catch (error) {
      if (error instanceof AppError && error.code === 'unsupported_media_type') {
        return errors.mediaTypeMismatch(`The uploaded bytes are not ${asset.mimeType}: ${error.message}`, 'content_type');
      }
      if (error instanceof AppError) return error;
      throw error;
    }
    const { sha256, facts } = inspector.result();
    if ([asset.declaredSha256, given].some((expected) => expected && expected !== sha256)) {
      return errors.checksumMismatch('The SHA-256 of the uploaded bytes does not match checksum_sha256.', 'checksum_sha256');
    }
    return { sha256, facts };
  }
}

/** The verdict on bytes a PUT already measured, from its receipt. */
function judge(asset: Asset, receipt: UploadReceipt, given: string | null): Verdict {
  const { sizeBytes, mimeType, sha256, width, height, durationSeconds } = receipt;
  return judgeUpload(asset, { sizeBytes, mimeType, sha256, facts: { width, height, durationSeconds } }, given);
}
