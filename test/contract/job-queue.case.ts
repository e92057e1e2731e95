// The JobQueue contract: every metadata adapter (SQLite, PostgreSQL) runs this same block. Claims see the whole
// queue, not one tenant's, so each case gets a queue of its own.
//
// Every time is passed in (the port takes `now`): the cases set the clock, they never wait for it.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import type { Job, JobKind, JobPosition, JobQueue } from '../../src/domain/ports/index.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

/** A fixed instant the cases count from, in milliseconds: t(60_000) is a minute after it. */
const T0 = Date.UTC(2030, 0, 1);
const t = (ms: number) => new Date(T0 + ms);

let made = 0;
function aJob(tenant: string, overrides: Partial<Job> = {}): Job {
  made += 1;
  return {
    jobId: `lipsync_${randomBytes(8).toString('hex')}`,
    tenant,
    kind: 'lipsync',
    status: 'pending',
    request: { video: 'asset_in', input_asset_ids: ['asset_in'] },
    outputAssetId: null,
    errorMessage: null,
    callbackUrl: null,
    leaseId: null,
    leaseExpiresAt: null,
    attempts: 0,
    version: 0,
    createdAt: t(-1_000_000 + made),
    updatedAt: t(-1_000_000 + made),
    ...overrides,
  };
}

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

    const insert = async (overrides: Partial<Job> = {}) => {
      const job = aJob(tenant, overrides);
      await queue.insertJob(job);
      return job;
    };
    const stored = async (jobId: string) => (await queue.findJobById(jobId))!;
    const claim = (leaseId: string, now: number, leaseUntil: number, kinds: readonly JobKind[] = ['lipsync']) =>
      queue.claimJob({ kinds, now: t(now), leaseId, leaseExpiresAt: t(leaseUntil) });
    const renew = (jobId: string, leaseId: string, now: number, leaseUntil: number) =>
      queue.renewJobLease({ jobId, leaseId, now: t(now), leaseExpiresAt: t(leaseUntil) });
    const finish = (
      jobId: string,
      leaseId: string,
      now: number,
      outcome: { status?: 'completed' | 'failed'; outputAssetId?: string | null; errorMessage?: string | null } = {},
    ) =>
      queue.finishJob({
        jobId,
        leaseId,
        now: t(now),
        status: outcome.status ?? 'completed',
        outputAssetId: outcome.outputAssetId ?? null,
        errorMessage: outcome.errorMessage ?? null,
      });
    const updateRequest = (jobId: string, version: number, request: Record<string, unknown>, now: number) =>
      queue.updateJobRequest({ jobId, version, request, now: t(now) });
    /** Inserts a job and leases it to `leaseId` from `now` until `leaseUntil`; no older job may be claimable at `now`. */
    const leased = async (leaseId: string, now = 0, leaseUntil = 60_000, overrides: Partial<Job> = {}) => {
      const job = await insert(overrides);
      expect((await claim(leaseId, now, leaseUntil))?.jobId).toBe(job.jobId);
      return job;
    };
    declareCases(`JobQueue contract: ${name}`, skip, (contractCase) => {
      // Storing and finding.

      contractCase('stores a job and finds it by id, field for field; a duplicate id is refused', async () => {
        const job = aJob(tenant, {
          jobId: `session_${randomBytes(8).toString('hex')}`,
          kind: 'video_agent',
          request: { messages: [{ text: 'héllo ✓', files: ['asset_1'] }], input_asset_ids: ['asset_1'], extra: { n: 1.5, yes: true, none: null } },
          callbackUrl: 'https://receiver.example/hook',
        });
        await queue.insertJob(job);
        expect(await queue.findJobById(job.jobId)).toEqual(job);
        expect(await queue.findJobById('session_missing')).toBeNull();
        await expect(queue.insertJob({ ...job, tenant: `${tenant}-other` })).rejects.toThrow();
        expect(await queue.findJobById(job.jobId)).toEqual(job);
      });

      contractCase('findJob never returns another tenant’s job or a job of another kind', async () => {
        const job = await insert({ kind: 'avatar' });
        expect(await queue.findJob(tenant, job.jobId, 'avatar')).toEqual(job);
        expect(await queue.findJob(`${tenant}-other`, job.jobId, 'avatar')).toBeNull();
        expect(await queue.findJob(tenant.toUpperCase(), job.jobId, 'avatar')).toBeNull();
        for (const kind of ['video_agent', 'video_translation', 'lipsync'] as const) {
          expect(await queue.findJob(tenant, job.jobId, kind)).toBeNull();
        }
        expect(await queue.findJob(tenant, 'avatar_missing', 'avatar')).toBeNull();
      });

      // claimJob: a compare-and-set on the job's state and lease.

      contractCase('claimJob: of many concurrent claims of one pending job, exactly one gets it', async () => {
        const job = await insert();
        const racers = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
        const results = await Promise.all(racers.map((leaseId) => claim(leaseId, 1000, 61_000)));
        const winners = results.filter((r): r is Job => r !== null);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(racers).toContain(winner.leaseId);
        expect(winner).toMatchObject({ jobId: job.jobId, status: 'processing', leaseExpiresAt: t(61_000), attempts: 1, updatedAt: t(1000) });
        expect(winner.version).toBeGreaterThan(job.version);
        // What the winner was handed is what the queue holds: the losers' leases are worth nothing.
        expect(await stored(job.jobId)).toEqual(winner);
        for (const loser of racers.filter((leaseId) => leaseId !== winner.leaseId)) {
          expect(await renew(job.jobId, loser, 2000, 62_000)).toBe(false);
        }
        expect(await stored(job.jobId)).toEqual(winner);
      });

      contractCase('claimJob: as many concurrent claimers as jobs each get a different one', async () => {
        const jobs = await Promise.all(Array.from({ length: 5 }, (_, i) => insert({ createdAt: t(i) })));
        const results = await Promise.all(Array.from({ length: 5 }, (_, i) => claim(`racer-${i}`, 1000, 61_000)));
        // A racer that loses one job looks again, so nobody is told the queue is empty while jobs wait.
        expect(results.every((r) => r !== null)).toBe(true);
        const got = results as Job[];
        expect(got.map((job) => job.jobId).sort()).toEqual(jobs.map((job) => job.jobId).sort());
        for (const job of got) expect((await stored(job.jobId)).leaseId).toBe(job.leaseId);
        expect(await claim('one-too-many', 3000, 63_000)).toBeNull();
      });

      contractCase('claimJob: claims only the given kinds', async () => {
        const avatar = await insert({ kind: 'avatar', createdAt: t(1) });
        const lipsync = await insert({ kind: 'lipsync', createdAt: t(2) });
        expect(await claim('a', 1000, 61_000, ['video_agent', 'video_translation'])).toBeNull();
        expect((await claim('b', 1000, 61_000, ['lipsync']))?.jobId).toBe(lipsync.jobId);
        expect(await claim('c', 1000, 61_000, ['lipsync'])).toBeNull();
        expect((await stored(avatar.jobId)).status).toBe('pending');
        expect((await claim('d', 1000, 61_000, ['video_agent', 'avatar', 'lipsync']))?.jobId).toBe(avatar.jobId);
      });

      contractCase('claimJob: oldest first', async () => {
        const middle = await insert({ createdAt: t(2000) });
        const newest = await insert({ createdAt: t(3000) });
        const oldest = await insert({ createdAt: t(1000) });
        const order = [];
        for (let i = 0; i < 4; i++) order.push((await claim(`L${i}`, 5000, 65_000))?.jobId ?? null);
        expect(order).toEqual([oldest.jobId, middle.jobId, newest.jobId, null]);
      });

      contractCase('claimJob: a job whose lease ran out is claimable again, and attempts counts up', async () => {
        const job = await insert();
        expect(await claim('first', 0, 60_000)).toMatchObject({ jobId: job.jobId, leaseId: 'first', attempts: 1 });
        expect(await claim('too-early', 59_999, 119_999)).toBeNull();
        expect(await claim('second', 60_001, 120_001)).toMatchObject({
          jobId: job.jobId,
          status: 'processing',
          leaseId: 'second',
          leaseExpiresAt: t(120_001),
          attempts: 2,
          updatedAt: t(60_001),
        });
        const third = await claim('third', 120_002, 180_000);
        expect(third).toMatchObject({ jobId: job.jobId, leaseId: 'third', attempts: 3 });
        expect(await stored(job.jobId)).toEqual(third);
        // An older job whose lease ran out comes before a newer pending one.
        const newer = await insert({ createdAt: t(0) });
        expect((await claim('fourth', 180_001, 240_000))?.jobId).toBe(job.jobId);
        expect((await claim('fifth', 180_001, 240_000))?.jobId).toBe(newer.jobId);
      });

      contractCase('claimJob: a finished job is never claimed', async () => {
        const completed = await leased('L-completed');
        expect(await finish(completed.jobId, 'L-completed', 1000)).toBe(true);
        const failed = await leased('L-failed');
        expect(await finish(failed.jobId, 'L-failed', 1000, { status: 'failed', errorMessage: 'no face found' })).toBe(true);
        // Long after every lease would have run out.
        expect(await claim('late', 10_000_000, 10_060_000)).toBeNull();
        expect((await stored(completed.jobId)).status).toBe('completed');
        expect((await stored(failed.jobId)).status).toBe('failed');
      });

      contractCase('claimJob: a lease renewed while a claim races for its expiry is not taken', async () => {
        // The worker renews just before its lease runs out while another claims just after: either the renewal
        // came first (the claim finds nothing) or the claim did (the renewal fails), never both. Each call goes
        // first in half the rounds.
        for (let round = 0; round < 10; round++) {
          const job = await leased(`worker-${round}`, 0, 60_000);
          const renewing = () => renew(job.jobId, `worker-${round}`, 59_000, 120_000);
          const claiming = () => claim(`thief-${round}`, 60_001, 120_000);
          const [renewed, taken] =
            round % 2 === 0
              ? await Promise.all([renewing(), claiming()])
              : await Promise.all([claiming(), renewing()]).then(([c, r]) => [r, c] as const);
          const holder = (await stored(job.jobId)).leaseId;
          if (renewed) {
            expect(taken).toBeNull();
            expect(holder).toBe(`worker-${round}`);
          } else {
            expect(taken?.jobId).toBe(job.jobId);
            expect(holder).toBe(`thief-${round}`);
          }
          expect(await finish(job.jobId, holder!, 100_000)).toBe(true);
        }
      });

      contractCase('claimJob: a job finished while a claim races for its expiry is not taken', async () => {
        // The worker finishes just before its lease runs out while another claims just after: either the finish
        // came first (the claim finds nothing) or the claim did (the finish fails), never both.
        for (let round = 0; round < 10; round++) {
          const job = await leased(`worker-${round}`, 0, 60_000);
          const finishing = () => finish(job.jobId, `worker-${round}`, 59_000, { outputAssetId: 'asset_out' });
          const claiming = () => claim(`thief-${round}`, 60_001, 120_000);
          const [finished, taken] =
            round % 2 === 0
              ? await Promise.all([finishing(), claiming()])
              : await Promise.all([claiming(), finishing()]).then(([c, f]) => [f, c] as const);
          const after = await stored(job.jobId);
          if (finished) {
            expect(taken).toBeNull();
            expect(after).toMatchObject({ status: 'completed', leaseId: null, outputAssetId: 'asset_out' });
          } else {
            expect(taken?.jobId).toBe(job.jobId);
            expect(after).toMatchObject({ status: 'processing', leaseId: `thief-${round}`, outputAssetId: null });
            expect(await finish(job.jobId, `thief-${round}`, 100_000)).toBe(true);
          }
        }
      });

      // renewJobLease.

      contractCase('renewJobLease: true for the live lease, which then holds until the new expiry', async () => {
        const job = await leased('L', 0, 60_000);
        expect(await renew(job.jobId, 'L', 30_000, 90_000)).toBe(true);
        expect(await stored(job.jobId)).toMatchObject({ status: 'processing', leaseId: 'L', leaseExpiresAt: t(90_000), attempts: 1 });
        // The old expiry no longer frees the job, and the renewed lease still finishes it after that.
        expect(await claim('other', 60_001, 120_000)).toBeNull();
        expect(await renew(job.jobId, 'L', 89_000, 150_000)).toBe(true);
        expect(await finish(job.jobId, 'L', 120_000)).toBe(true);
      });

      contractCase('renewJobLease: false for a wrong lease id', async () => {
        const job = await leased('L', 0, 60_000);
        const before = await stored(job.jobId);
        expect(await renew(job.jobId, 'not-L', 1000, 600_000)).toBe(false);
        expect(await renew(job.jobId, '', 1000, 600_000)).toBe(false);
        expect(await renew('lipsync_missing', 'L', 1000, 600_000)).toBe(false);
        expect(await stored(job.jobId)).toEqual(before);
        expect((await claim('next', 60_001, 120_000))?.jobId).toBe(job.jobId);
      });

      contractCase('renewJobLease: false after the lease expired and another caller claimed it', async () => {
        const job = await leased('A', 0, 60_000);
        expect((await claim('B', 60_001, 120_000))?.jobId).toBe(job.jobId);
        expect(await renew(job.jobId, 'A', 60_002, 180_000)).toBe(false);
        // Even by a clock that still believes A's lease is live.
        expect(await renew(job.jobId, 'A', 30_000, 180_000)).toBe(false);
        expect(await stored(job.jobId)).toMatchObject({ leaseId: 'B', leaseExpiresAt: t(120_000), status: 'processing' });
        expect(await renew(job.jobId, 'B', 70_000, 130_000)).toBe(true);
      });

      contractCase('renewJobLease: false once the lease ran out, or the job finished', async () => {
        const lapsed = await leased('A', 0, 60_000);
        expect(await renew(lapsed.jobId, 'A', 60_001, 120_000)).toBe(false);
        expect((await stored(lapsed.jobId)).leaseExpiresAt).toEqual(t(60_000));
        const done = await leased('B', 60_001, 120_000, { createdAt: t(-5_000_000) });
        expect(await finish(done.jobId, 'B', 70_000)).toBe(true);
        expect(await renew(done.jobId, 'B', 71_000, 130_000)).toBe(false);
        expect((await stored(done.jobId)).status).toBe('completed');
      });

      // finishJob.

      contractCase('finishJob: true once with the live lease, even when several finish at once', async () => {
        const job = await leased('L', 0, 60_000);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => finish(job.jobId, 'L', 1000 + i, { status: i % 2 ? 'failed' : 'completed', errorMessage: `try ${i}` })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const i = results.indexOf(true);
        expect(await stored(job.jobId)).toMatchObject({ status: i % 2 ? 'failed' : 'completed', errorMessage: `try ${i}`, updatedAt: t(1000 + i) });
        expect(await finish(job.jobId, 'L', 2000)).toBe(false);
        expect((await stored(job.jobId)).errorMessage).toBe(`try ${i}`);
      });

      contractCase('finishJob: false with a stale lease', async () => {
        const job = await leased('A', 0, 60_000);
        // Ran out, nobody took it yet: A may not finish it any more.
        expect(await finish(job.jobId, 'A', 60_001)).toBe(false);
        expect(await stored(job.jobId)).toMatchObject({ status: 'processing', leaseId: 'A' });
        expect((await claim('B', 60_002, 120_000))?.jobId).toBe(job.jobId);
        // Taken by B: A may not finish it even by a clock that still believes its lease is live.
        expect(await finish(job.jobId, 'A', 30_000, { outputAssetId: 'asset_stale' })).toBe(false);
        expect(await stored(job.jobId)).toMatchObject({ status: 'processing', leaseId: 'B', outputAssetId: null });
        expect(await finish(job.jobId, 'B', 70_000, { outputAssetId: 'asset_fresh' })).toBe(true);
        expect(await stored(job.jobId)).toMatchObject({ status: 'completed', outputAssetId: 'asset_fresh' });
      });

      contractCase('finishJob: a finished job records its status, output and error, and holds no lease', async () => {
        const completed = await leased('L1');
        const before = await stored(completed.jobId);
        expect(await finish(completed.jobId, 'L1', 2000, { outputAssetId: 'asset_out' })).toBe(true);
        const failed = await leased('L2', 2500, 62_500);
        expect(await finish(failed.jobId, 'L2', 3000, { status: 'failed', errorMessage: 'worker crashed: out of memory' })).toBe(true);

        const done = await stored(completed.jobId);
        expect(done).toEqual({
          ...before,
          status: 'completed',
          outputAssetId: 'asset_out',
          errorMessage: null,
          leaseId: null,
          leaseExpiresAt: null,
          version: done.version,
          updatedAt: t(2000),
        });
        expect(done.version).toBeGreaterThan(before.version);
        expect(await stored(failed.jobId)).toMatchObject({
          status: 'failed',
          outputAssetId: null,
          errorMessage: 'worker crashed: out of memory',
          leaseId: null,
          leaseExpiresAt: null,
          attempts: 1,
          updatedAt: t(3000),
        });
      });

      contractCase('updateJobRequest: of concurrent updates at the same version exactly one wins', async () => {
        const job = await insert();
        const results = await Promise.all(Array.from({ length: 6 }, (_, n) => updateRequest(job.jobId, job.version, { n }, 1000 + n)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const n = results.indexOf(true);
        const after = await stored(job.jobId);
        expect(after).toMatchObject({ request: { n }, updatedAt: t(1000 + n) });
        expect(after.version).toBeGreaterThan(job.version);
        // A caller that read the old version loses; one that read the new one wins.
        expect(await updateRequest(job.jobId, job.version, { n: 'stale' }, 2000)).toBe(false);
        expect((await stored(job.jobId)).request).toEqual({ n });
        expect(await updateRequest(job.jobId, after.version, { n: 'fresh' }, 3000)).toBe(true);
        expect((await stored(job.jobId)).request).toEqual({ n: 'fresh' });
        expect(await updateRequest('lipsync_missing', 0, {}, 3000)).toBe(false);
      });

      contractCase('updateJobRequest: bumps the version and puts the job back to pending', async () => {
        const job = await leased('A', 0, 60_000);
        const processing = await stored(job.jobId);
        const request = { messages: ['first', 'second'], input_asset_ids: [] };
        expect(await updateRequest(job.jobId, processing.version, request, 2000)).toBe(true);
        const requeued = await stored(job.jobId);
        expect(requeued).toMatchObject({ status: 'pending', request, leaseId: null, leaseExpiresAt: null, updatedAt: t(2000) });
        expect(requeued.version).toBeGreaterThan(processing.version);
        // The worker that held it has lost it, and the job is claimable at once, not when A's lease would have ended.
        expect(await renew(job.jobId, 'A', 3000, 63_000)).toBe(false);
        expect(await finish(job.jobId, 'A', 3000)).toBe(false);
        expect(await claim('B', 3000, 63_000)).toMatchObject({ jobId: job.jobId, leaseId: 'B', request, attempts: 2 });
        // A finished job goes back to work too.
        expect(await finish(job.jobId, 'B', 4000, { outputAssetId: 'asset_out' })).toBe(true);
        const finished = await stored(job.jobId);
        expect(await updateRequest(job.jobId, finished.version, { messages: ['third'] }, 5000)).toBe(true);
        expect(await stored(job.jobId)).toMatchObject({ status: 'pending', request: { messages: ['third'] } });
        expect((await claim('C', 6000, 66_000))?.jobId).toBe(job.jobId);
      });

      // Reading a tenant's jobs: findJobs and listJobs.

      contractCase('findJobs: the tenant’s jobs of that kind among the ids, never another tenant’s or kind’s', async () => {
        const [a, b] = [await insert(), await insert()];
        const avatar = await insert({ kind: 'avatar' });
        const theirs = aJob(`${tenant}-other`);
        await queue.insertJob(theirs);
        const found = await queue.findJobs(tenant, 'lipsync', [b.jobId, 'lipsync_missing', a.jobId, avatar.jobId, theirs.jobId]);
        expect(found.map((job) => job.jobId).sort()).toEqual([a.jobId, b.jobId].sort());
        expect(found.find((job) => job.jobId === a.jobId)).toEqual(a);
        expect(await queue.findJobs(tenant, 'lipsync', [])).toEqual([]);
        expect(await queue.findJobs(`${tenant}-other`, 'lipsync', [a.jobId])).toEqual([]);
      });

      contractCase('listJobs: newest first (created_at, then job_id), one tenant and kind, a page at a time', async () => {
        // Three share one created_at (a translation's jobs, made by one request): job_id orders them.
        const same = await Promise.all(['a', 'b', 'c'].map((n) => insert({ jobId: `lipsync_${n}${randomBytes(4).toString('hex')}`, createdAt: t(5000) })));
        const older = await insert({ createdAt: t(1000) });
        const newest = await insert({ createdAt: t(9000) });
        await insert({ kind: 'avatar', createdAt: t(10_000) });
        await queue.insertJob(aJob(`${tenant}-other`, { createdAt: t(10_000) }));
        const expected = [newest, ...same.sort((x, y) => (x.jobId < y.jobId ? 1 : -1)), older].map((job) => job.jobId);

        const seen: string[] = [];
        let after: JobPosition | undefined;
        for (let page = 0; page < 3; page++) {
          const got = await queue.listJobs({ tenant, kind: 'lipsync', limit: 2, ...(after ? { after } : {}) });
          seen.push(...got.jobs.map((job) => job.jobId));
          if (page < 2) {
            expect(got.next).toEqual({ createdAt: got.jobs[1]!.createdAt, jobId: got.jobs[1]!.jobId });
            after = got.next!;
          } else {
            expect(got.next).toBeNull();
          }
        }
        expect(seen).toEqual(expected);
        const all = await queue.listJobs({ tenant, kind: 'lipsync', limit: 100 });
        expect(all.jobs.map((job) => job.jobId)).toEqual(expected);
        expect(all.jobs[0]).toEqual(newest);
        expect(all.next).toBeNull();
        // Exactly a page full: no next page is promised.
        expect((await queue.listJobs({ tenant, kind: 'lipsync', limit: 5 })).next).toBeNull();
        expect((await queue.listJobs({ tenant: `${tenant}-nobody`, kind: 'lipsync', limit: 10 })).jobs).toEqual([]);
      });

      // Changing a job for its owner: amendJobRequest, stopJob, deleteJob.

      contractCase('amendJobRequest: a compare-and-set on the version that leaves status, lease and output as they are', async () => {
        const job = await leased('worker', 0, 60_000);
        const processing = await stored(job.jobId);
        const results = await Promise.all(
          Array.from({ length: 4 }, (_, n) => queue.amendJobRequest({ jobId: job.jobId, version: processing.version, request: { ...processing.request, title: `t${n}` }, now: t(1000 + n) })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const n = results.indexOf(true);
        const amended = await stored(job.jobId);
        expect(amended).toEqual({ ...processing, request: { ...processing.request, title: `t${n}` }, version: amended.version, updatedAt: t(1000 + n) });
        expect(amended.version).toBeGreaterThan(processing.version);
        expect(await queue.amendJobRequest({ jobId: job.jobId, version: processing.version, request: {}, now: t(2000) })).toBe(false);
        // The worker carries on: its lease still renews and finishes the job.
        expect(await renew(job.jobId, 'worker', 3000, 63_000)).toBe(true);
        expect(await finish(job.jobId, 'worker', 4000, { outputAssetId: 'asset_out' })).toBe(true);
        const done = await stored(job.jobId);
        expect(await queue.amendJobRequest({ jobId: job.jobId, version: done.version, request: { title: 'after' }, now: t(5000) })).toBe(true);
        expect(await stored(job.jobId)).toMatchObject({ status: 'completed', outputAssetId: 'asset_out', request: { title: 'after' } });
        expect(await claim('late', 10_000_000, 10_060_000)).toBeNull();
        expect(await queue.amendJobRequest({ jobId: 'lipsync_missing', version: 0, request: {}, now: t(5000) })).toBe(false);
      });

      contractCase('stopJob: ends a pending or processing job failed once, owing its callback; the worker’s lease is lost', async () => {
        const pending = await insert({ callbackUrl: 'https://receiver.example/hook' });
        const racing = await Promise.all(Array.from({ length: 4 }, () => queue.stopJob({ jobId: pending.jobId, now: t(1000), errorMessage: 'stopped' })));
        expect(racing.filter(Boolean)).toHaveLength(1);
        expect(await stored(pending.jobId)).toMatchObject({
          status: 'failed',
          errorMessage: 'stopped',
          outputAssetId: null,
          leaseId: null,
          updatedAt: t(1000),
        });
        expect(await claim('later', 2000, 62_000)).toBeNull();

        const processing = await leased('worker', 2000, 62_000);
        const before = await stored(processing.jobId);
        expect(await queue.stopJob({ jobId: processing.jobId, now: t(3000), errorMessage: 'stopped' })).toBe(true);
        const stopped = await stored(processing.jobId);
        expect(stopped).toMatchObject({ status: 'failed', errorMessage: 'stopped', leaseId: null, leaseExpiresAt: null });
        expect(stopped.version).toBeGreaterThan(before.version);
        expect(await renew(processing.jobId, 'worker', 4000, 64_000)).toBe(false);
        expect(await finish(processing.jobId, 'worker', 4000, { outputAssetId: 'asset_late' })).toBe(false);
        expect(await stored(processing.jobId)).toEqual(stopped);

        const finished = await leased('done', 5000, 65_000);
        expect(await finish(finished.jobId, 'done', 6000, { outputAssetId: 'asset_out' })).toBe(true);
        const completed = await stored(finished.jobId);
        expect(await queue.stopJob({ jobId: finished.jobId, now: t(7000), errorMessage: 'stopped' })).toBe(false);
        expect(await stored(finished.jobId)).toEqual(completed);
        expect(await queue.stopJob({ jobId: 'lipsync_missing', now: t(7000), errorMessage: 'stopped' })).toBe(false);
      });

      contractCase('deleteJob: removes the tenant’s job of that kind, and only that; a lease on it is then worth nothing', async () => {
        const job = await leased('worker', 0, 60_000, { callbackUrl: 'https://receiver.example/hook' });
        const other = await insert();
        expect(await queue.deleteJob(`${tenant}-other`, 'lipsync', job.jobId)).toBe(false);
        expect(await queue.deleteJob(tenant, 'avatar', job.jobId)).toBe(false);
        const results = await Promise.all([1, 2, 3].map(() => queue.deleteJob(tenant, 'lipsync', job.jobId)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await queue.findJobById(job.jobId)).toBeNull();
        expect(await renew(job.jobId, 'worker', 1000, 61_000)).toBe(false);
        expect(await finish(job.jobId, 'worker', 1000)).toBe(false);
        expect(await stored(other.jobId)).toEqual(other);
      });
    });
  });
}
