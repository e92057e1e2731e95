// Idempotency-Key: the first request with a key runs and its answer is kept for 24 h; a repeat gets that answer
// back (also when its body differs, flagged), and a repeat while the first still runs gets 409 request_in_progress.
// State lives in the metadata store, so it holds across restarts and replicas.
import { createHash, randomUUID } from 'node:crypto';
import { errors } from './errors.js';
import type { IdempotencyKeyRef, IdempotencyKeys } from './ports/index.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{1,255}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Longer than any request may run (a multi-GiB complete included); after it a claim counts as abandoned. */
const LOCK_MS = 15 * 60 * 1000;

export interface IdempotencyScope {
  readonly tenant: string;
  /** Method and path: a key is scoped per caller, endpoint and path parameters. */
  readonly scope: string;
  readonly key: string;
}

export type IdempotencyStart =
  | { readonly run: true; readonly claim: IdempotencyKeyRef }
  | { readonly run: false; readonly status: number; readonly body: string; readonly bodyDiffered: boolean };

export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex');
}

export class IdempotencyService {
  constructor(
    private readonly keys: IdempotencyKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  validateKey(key: string): string {
    if (!KEY_PATTERN.test(key)) {
      throw errors.invalidParameter(`${IDEMPOTENCY_HEADER} must be 1-255 characters of [A-Za-z0-9_-:.].`, IDEMPOTENCY_HEADER);
    }
    return key;
  }

  async start(scope: IdempotencyScope, fingerprint: string): Promise<IdempotencyStart> {
    const now = this.now();
    const claim: IdempotencyKeyRef = { ...scope, claimId: randomUUID() };
    const result = await this.keys.claim({
      ...claim,
      fingerprint,
      now,
      lockUntil: new Date(now.getTime() + LOCK_MS),
      expiresAt: new Date(now.getTime() + DAY_MS),
    });
    if (result.claimed) return { run: true, claim };
    if (result.existing.state === 'in_progress') {
      throw errors.requestInProgress(`A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry later.`);
    }
    // As the platform does: the first answer stands even for a body that differs; the caller is told it differed.
    const { status, body } = result.existing;
    return { run: false, status, body, bodyDiffered: result.existing.fingerprint !== fingerprint };
  }

  /**
   * Keeps the answer for replay. Server errors and 409s are not kept: both say "retry", and a retry with the same
   * key must then run again rather than replay the refusal for a day.
   */
  async finish(claim: IdempotencyKeyRef, status: number, body: string): Promise<void> {
    if (status >= 500 || status === 409) await this.keys.release(claim);
    else await this.keys.complete({ ...claim, status, body });
  }

  async abandon(claim: IdempotencyKeyRef): Promise<void> {
    await this.keys.release(claim);
  }
}
