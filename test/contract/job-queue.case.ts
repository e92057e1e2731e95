// The JobQueue contract: every metadata adapter (SQLite, PostgreSQL) runs this same block. Claims see the whole
// queue, not one tenant's, so each case gets a queue of its own.
import { afterEach, beforeEach, describe, expect } from 'vitest';
import type { Job, JobQueue } from '../../src/domain/ports/index.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

export function runJobQueueContract({ name, create, skip }: ContractOptions<Subject<JobQueue>>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let subject: Subject<JobQueue> | undefined;
    let queue: JobQueue;
    const tenant = `t-${Date.now().toString(36)}`;
    beforeEach(async () => {
      subject = await create();
      queue = subject.port;
    });
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    declareCases(`JobQueue contract: ${name}`, skip, (contractCase) => {
      contractCase('owes a finished job\'s callback in the same update, and leases each due callback to one deliverer', async () => {
        const base = Math.floor(Date.now() / 1000) * 1000;
        const at = (ms: number) => new Date(base + ms);
        const aJob = (n: number, callbackUrl: string | null): Job => ({
          jobId: `lipsync_${n}_${base.toString(36)}`, tenant, kind: 'lipsync', status: 'pending', request: {}, outputAssetId: null,
          errorMessage: null, callbackUrl, leaseId: null, leaseExpiresAt: null, attempts: 0, version: 0, createdAt: at(n),
          updatedAt: at(n), callback: null,
        });
        const hooked = aJob(1, 'https://receiver.example/hook');
        const silent = aJob(2, null);
        for (const job of [hooked, silent]) {
          await queue.insertJob(job);
          const claimed = await queue.claimJob({ kinds: ['lipsync'], now: at(500), leaseId: `L${job.jobId}`, leaseExpiresAt: at(60_000) });
          expect(claimed?.jobId).toBe(job.jobId);
          const finish = { jobId: job.jobId, leaseId: `L${job.jobId}`, now: at(1000), status: 'completed' as const, outputAssetId: null, errorMessage: null };
          expect(await queue.finishJob(finish)).toBe(true);
        }
        expect((await queue.findJobById(hooked.jobId))?.callback).toEqual({ state: 'pending', attempts: 0, dueAt: at(1000), leaseId: null, leaseUntil: null, lastError: null });
        expect((await queue.findJobById(silent.jobId))?.callback).toBeNull();

        const claim = (now: number, leaseUntil: number, leaseId = `lease-${now}`) =>
          queue.claimDueCallbacks({ now: at(now), leaseId, leaseUntil: at(leaseUntil), limit: 10 });
        const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => claim(1000, 61_000, `racer-${i}`)));
        expect(racing.flat().map((job) => job.jobId)).toEqual([hooked.jobId]);
        const winner = racing.flat()[0]!.callback!.leaseId!;
        expect(await claim(2000, 62_000)).toEqual([]); // leased
        const settle = (leaseId: string, state: 'pending' | 'delivered', dueAt: number | null, error: string | null) =>
          queue.settleCallback({ jobId: hooked.jobId, leaseId, state, dueAt: dueAt === null ? null : at(dueAt), error });
        expect(await settle('someone-else', 'delivered', null, null)).toBe(false);
        expect(await settle(winner, 'pending', 10_000, 'answered 500')).toBe(true);
        expect(await claim(5000, 65_000)).toEqual([]); // not due yet
        const again = await claim(10_000, 70_000, 'second');
        expect(again.map((job) => job.callback)).toEqual([
          { state: 'pending', attempts: 1, dueAt: at(10_000), leaseId: 'second', leaseUntil: at(70_000), lastError: 'answered 500' },
        ]);
        expect(await claim(70_001, 130_000, 'third')).toHaveLength(1); // the lease lapsed: another deliverer takes over
        expect(await settle('second', 'delivered', null, null)).toBe(false); // the lapsed holder can no longer settle
        expect(await settle('third', 'delivered', null, null)).toBe(true);
        expect((await queue.findJobById(hooked.jobId))?.callback).toMatchObject({ state: 'delivered', attempts: 2, leaseId: null, leaseUntil: null });
        expect(await claim(999_999, 1_999_999)).toEqual([]);
      });
    });
  });
}
