// How a multipart upload's file is cut into parts, and where they go. S3's limits hold on every backend, so an upload behaves the same
// wherever its bytes go: at most 10,000 parts, each at least 5 MiB (the last excepted) and at most 5 GiB. The
// default part is 64 MiB, raised (in whole MiB) for a file that would otherwise need more than 10,000 parts.
import { errors } from './errors.js';
import type { Asset, MultipartState } from './ports/index.js';

const MiB = 1024 * 1024;
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;
export const DEFAULT_PART_BYTES = 64 * MiB;

export interface PartPlan {
  readonly sizeBytes: number;
  readonly partSizeBytes: number;
  readonly partCount: number;
}

/** The part size for a file of `sizeBytes`: the one asked for (checked), or the default raised to fit. */
export function planParts(sizeBytes: number, requested?: number | null, param = 'part_size_bytes'): PartPlan {
  if (requested !== undefined && requested !== null) {
    if (!Number.isSafeInteger(requested) || requested < MIN_PART_BYTES || requested > MAX_PART_BYTES) {
      throw errors.invalidParameter(`part_size_bytes must be between ${MIN_PART_BYTES} (5 MiB) and ${MAX_PART_BYTES} (5 GiB).`, param);
    }
    const partCount = Math.ceil(sizeBytes / requested);
    if (partCount > MAX_PARTS) {
      throw errors.invalidParameter(
        `part_size_bytes ${requested} would cut this file into ${partCount} parts; at most ${MAX_PARTS} are allowed (use at least ${Math.ceil(sizeBytes / MAX_PARTS)}).`,
        param,
      );
    }
    return { sizeBytes, partSizeBytes: requested, partCount };
  }
  const fitting = Math.ceil(Math.ceil(sizeBytes / MAX_PARTS) / MiB) * MiB;
  const partSizeBytes = Math.max(DEFAULT_PART_BYTES, fitting);
  return { sizeBytes, partSizeBytes, partCount: Math.max(1, Math.ceil(sizeBytes / partSizeBytes)) };
}

/** The plan of an upload already under way. */
export function planOf(sizeBytes: number, partSizeBytes: number): PartPlan {
  return { sizeBytes, partSizeBytes, partCount: Math.max(1, Math.ceil(sizeBytes / partSizeBytes)) };
}

/** The exact length of part `partNumber` (1-based): the part size, but the last part holds what is left. */
export function partLength(plan: PartPlan, partNumber: number): number {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw errors.partNumberOutOfRange(partNumber, plan.partCount);
  }
  return partNumber < plan.partCount ? plan.partSizeBytes : plan.sizeBytes - plan.partSizeBytes * (plan.partCount - 1);
}

/** Where a multipart asset's parts go: its own key (nothing is there until complete), under the store's upload. */
export function targetOf(asset: Asset, multipart: MultipartState): { key: string; uploadId: string } {
  return { key: asset.storageKey, uploadId: multipart.uploadId };
}
