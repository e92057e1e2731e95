// The IdempotencyKeys contract: every metadata adapter (SQLite, PostgreSQL) runs this same block.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { IdempotencyKeys } from '../../src/domain/ports/index.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

export function runIdempotencyKeysContract({ name, create, skip }: ContractOptions<Subject<IdempotencyKeys>>): void {
  describe(`IdempotencyKeys contract: ${name}`, () => {
    let subject: Subject<IdempotencyKeys>;
    let keys: IdempotencyKeys;
    const tenant = `t-${Date.now().toString(36)}`;
    beforeAll(async () => {
      subject = await create();
      keys = subject.port;
    });
    afterAll(async () => {
      await subject?.close();
    });

    declareCases(`IdempotencyKeys contract: ${name}`, skip, (contractCase) => {
      contractCase('claims an idempotency key once, replays, takes over stale claims, and purges', async () => {
        const now = new Date();
        const later = (ms: number) => new Date(now.getTime() + ms);
        const key = { tenant, scope: 'POST /v3/x', key: `k-${Date.now()}` };
        const claimBy = (claimId: string, at = now) => ({
          ...key,
          claimId,
          fingerprint: 'f1',
          now: at,
          lockUntil: new Date(at.getTime() + 1000),
          expiresAt: new Date(at.getTime() + 60_000),
        });

        const claims = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => keys.claim(claimBy(id))));
        expect(claims.filter((c) => c.claimed)).toHaveLength(1);
        expect(await keys.claim(claimBy('f'))).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'f1' } });
        // The holder seems dead: after its lock runs out, one caller takes over...
        expect(await keys.claim(claimBy('new', later(2000)))).toEqual({ claimed: true });
        // ...and the old holder, still alive after all, can neither answer nor release for the new one.
        const winner = ['a', 'b', 'c', 'd', 'e'][claims.findIndex((c) => c.claimed)]!;
        await keys.complete({ ...key, claimId: winner, status: 201, body: '{"stale":true}' });
        await keys.release({ ...key, claimId: winner });
        expect(await keys.claim(claimBy('g', later(2500)))).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'f1' } });

        await keys.complete({ ...key, claimId: 'new', status: 200, body: '{"data":1}' });
        expect(await keys.claim(claimBy('h', later(5000)))).toEqual({
          claimed: false,
          existing: { state: 'done', fingerprint: 'f1', status: 200, body: '{"data":1}' },
        });
        expect(await keys.purge(later(30_000))).toBe(0);
        // The takeover at +2 s keeps the answer until +62 s.
        expect(await keys.purge(later(63_000))).toBeGreaterThanOrEqual(1);
        expect(await keys.claim(claimBy('i', later(64_000)))).toEqual({ claimed: true });

        await keys.release({ ...key, claimId: 'i' });
        expect(await keys.claim(claimBy('j', later(64_500)))).toEqual({ claimed: true });
      });
    });
  });
}
