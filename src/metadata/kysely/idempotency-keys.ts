// IdempotencyKeys over Kysely. A key is claimed by an insert that does nothing on conflict, or by taking over an
// expired answer or a dead holder's claim in one conditional UPDATE: one caller wins, on SQLite and PostgreSQL alike.
import type { Kysely } from 'kysely';
import type { ClaimResult, IdempotencyClaim, IdempotencyKeyRef, IdempotencyKeys } from '../../domain/ports/index.js';
import { num, type Database } from '../schema.js';

export class KyselyIdempotencyKeys implements IdempotencyKeys {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(claim: IdempotencyClaim): Promise<ClaimResult> {
    const identity = { tenant: claim.tenant, scope: claim.scope, key: claim.key };
    const fresh = {
      claim_id: claim.claimId,
      fingerprint: claim.fingerprint,
      state: 'in_progress',
      response_status: null,
      response_body: null,
      locked_until: claim.lockUntil.getTime(),
      expires_at: claim.expiresAt.getTime(),
    };
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({ ...identity, ...fresh })
      .onConflict((oc) => oc.columns(['tenant', 'scope', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { claimed: true };

    const now = claim.now.getTime();
    // An expired answer, or a claim whose holder died, may be taken over by exactly one caller.
    const takenOver = await this.db
      .updateTable('idempotency_keys')
      .set(fresh)
      .where('tenant', '=', claim.tenant)
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now),
          eb.and([eb('state', '=', 'in_progress'), eb('locked_until', '<=', now)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(takenOver.numUpdatedRows) === 1) return { claimed: true };

    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant', '=', claim.tenant)
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .executeTakeFirst();
    if (!row) return this.claim(claim);
    if (row.state === 'done' && row.response_status !== null && row.response_body !== null) {
      return {
        claimed: false,
        existing: { state: 'done', fingerprint: row.fingerprint, status: num(row.response_status), body: row.response_body },
      };
    }
    return { claimed: false, existing: { state: 'in_progress', fingerprint: row.fingerprint } };
  }

  async complete(key: IdempotencyKeyRef & { status: number; body: string }): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ state: 'done', response_status: key.status, response_body: key.body })
      .where('tenant', '=', key.tenant)
      .where('scope', '=', key.scope)
      .where('key', '=', key.key)
      .where('claim_id', '=', key.claimId)
      .execute();
  }

  async release(key: IdempotencyKeyRef): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant', '=', key.tenant)
      .where('scope', '=', key.scope)
      .where('key', '=', key.key)
      .where('claim_id', '=', key.claimId)
      .where('state', '=', 'in_progress')
      .execute();
  }

  async purge(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
