// Idempotency keys: which request holds a key, and the answer it left for replay. The metadata adapters implement
// IdempotencyKeys; test/contract/idempotency-keys.case.ts holds each of them to it.

export interface IdempotencyKeyRef {
  readonly tenant: string;
  readonly scope: string;
  readonly key: string;
  /** Which request holds the key: a request whose claim was taken over can no longer finish or release it. */
  readonly claimId: string;
}

export interface IdempotencyClaim extends IdempotencyKeyRef {
  readonly fingerprint: string;
  readonly now: Date;
  /** A claim older than this is taken to belong to a process that died. */
  readonly lockUntil: Date;
  readonly expiresAt: Date;
}

export type IdempotencyRecord =
  | { readonly state: 'in_progress'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly status: number; readonly body: string };

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing: IdempotencyRecord };

export interface IdempotencyKeys {
  /** Takes a key for a request: claimed, or what an earlier request with that key left. */
  claim(claim: IdempotencyClaim): Promise<ClaimResult>;
  /** Keeps the answer of the request that holds the key; a no-op for a claim taken over since. */
  complete(key: IdempotencyKeyRef & { status: number; body: string }): Promise<void>;
  /** Forgets a claim whose request produced no replayable answer (a 5xx, a crash), so a retry runs again. */
  release(key: IdempotencyKeyRef): Promise<void>;
  /** Forgets every key that expired by `now`; returns how many. */
  purge(now: Date): Promise<number>;
}
