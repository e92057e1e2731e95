// The WebhookRecords contract, with the AssetRecords methods that record events in their own transaction: every
// metadata adapter (SQLite, PostgreSQL) runs this same block on a whole store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Job, MetadataStores, WebhookEndpoint, WebhookEvent } from '../../src/domain/ports/index.js';
import { anAsset } from './asset-records.case.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

function anEvent(tenant: string, eventType: string, entityId: string): WebhookEvent {
  return { eventId: `evt_${randomUUID()}`, tenant, eventType, entityId, data: { asset_id: entityId, n: 1 }, createdAt: new Date(Math.floor(Date.now() / 1000) * 1000) };
}

function anEndpoint(tenant: string, events: string[] = []): WebhookEndpoint {
  return {
    endpointId: `ep_${randomUUID()}`,
    tenant,
    url: 'https://receiver.example/hook',
    events,
    entityId: null,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    previousSecret: null,
    previousSecretUntil: null,
    status: 'enabled',
    disabledReason: null,
    failingSince: null,
    createdAt: new Date(1_700_000_000_000),
  };
}

export function runWebhookRecordsContract({ name, create, skip }: ContractOptions<Subject<MetadataStores>>): void {
  describe(`WebhookRecords contract: ${name}`, () => {
    let subject: Subject<MetadataStores>;
    let store: MetadataStores;
    const run = Date.now().toString(36);
    let n = 0;
    /** A tenant of its own per case, with endpoints subscribed to `types` (one list per endpoint). */
    const setUp = async (...subscriptions: string[][]) => {
      const tenant = `wh-${run}-${(n += 1)}`;
      const endpoints: WebhookEndpoint[] = [];
      for (const events of subscriptions) {
        const endpoint = anEndpoint(tenant, events);
        await store.webhooks.insertEndpoint(endpoint);
        endpoints.push(endpoint);
      }
      return { tenant, endpoints };
    };
    const claimAll = (leaseId: string = randomUUID(), now = new Date(Date.now() + 1000)) =>
      store.webhooks.claimDueDeliveries({ now, leaseId, leaseUntil: new Date(now.getTime() + 60_000), limit: 100, skipEndpoints: [] });

    const eventsOf = async (tenant: string) => (await store.webhooks.listEvents({ tenant, limit: 10 })).events;

    beforeAll(async () => {
      subject = await create();
      store = subject.port;
    });
    afterAll(async () => {
      await subject?.close();
    });

    declareCases(`WebhookRecords contract: ${name}`, skip, (contractCase) => {
      contractCase('stores an endpoint field for field, found by its tenant only', async () => {
        const { tenant, endpoints } = await setUp(['asset.completed']);
        expect(await store.webhooks.findEndpoint(tenant, endpoints[0]!.endpointId)).toEqual(endpoints[0]);
        expect(await store.webhooks.findEndpoint(`${tenant}-other`, endpoints[0]!.endpointId)).toBeNull();
      });

      contractCase('an event given to insertAsset is recorded with it, owing a delivery to each subscribed endpoint', async () => {
        const { tenant, endpoints } = await setUp(['asset.completed'], ['asset.deleted'], []);
        await setUp([]); // another tenant's endpoint owes nothing
        const asset = anAsset(tenant);
        const event = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event });
        expect(await eventsOf(tenant)).toEqual([event]);
        const owed = await store.webhooks.deliveriesOf(event.eventId);
        expect(owed.map((d) => d.endpointId).sort()).toEqual([endpoints[0]!.endpointId, endpoints[2]!.endpointId].sort());
        expect(owed.every((d) => d.state === 'pending' && d.attempts === 0)).toBe(true);
      });

      contractCase('counts the deliveries this process records, and only those: an event owing none leaves the count', async () => {
        const quiet = await setUp();
        const before = store.webhooks.deliveriesRecordedHere();
        const unsubscribed = anAsset(quiet.tenant);
        await store.assets.insertAsset(unsubscribed, { event: anEvent(quiet.tenant, 'asset.completed', unsubscribed.assetId) });
        expect(store.webhooks.deliveriesRecordedHere()).toBe(before);
        const { tenant } = await setUp(['asset.completed'], []);
        const asset = anAsset(tenant);
        await store.assets.insertAsset(asset, { event: anEvent(tenant, 'asset.completed', asset.assetId) });
        expect(store.webhooks.deliveriesRecordedHere()).toBe(before + 2);
      });

      contractCase('forgets events recorded before a time, with their deliveries, oldest first and a page at a time', async () => {
        const { tenant, endpoints } = await setUp([]);
        const day = 24 * 3600 * 1000;
        const at = (daysAgo: number) => new Date(Math.floor((Date.now() - daysAgo * day) / 1000) * 1000);
        const old = [40, 35, 31].map((daysAgo) => ({ ...anEvent(tenant, 'asset.completed', `asset_old_${daysAgo}`), createdAt: at(daysAgo) }));
        const recent = { ...anEvent(tenant, 'asset.completed', 'asset_recent'), createdAt: at(1) };
        for (const event of [...old, recent]) await store.assets.insertAsset(anAsset(tenant), { event });
        expect(await store.webhooks.deliveriesOf(old[0]!.eventId)).toHaveLength(1);
        const cutoff = at(30);
        // Other cases' events are all recent: only these three are older than the cutoff.
        expect(await store.webhooks.purgeEvents(cutoff, 2)).toBe(2);
        expect((await eventsOf(tenant)).map((e) => e.eventId)).toEqual([recent.eventId, old[2]!.eventId]);
        expect(await store.webhooks.purgeEvents(cutoff, 2)).toBe(1);
        expect(await store.webhooks.purgeEvents(cutoff, 2)).toBe(0);
        expect((await eventsOf(tenant)).map((e) => e.eventId)).toEqual([recent.eventId]);
        for (const event of old) expect(await store.webhooks.deliveriesOf(event.eventId)).toEqual([]);
        expect((await store.webhooks.deliveriesOf(recent.eventId)).map((d) => d.endpointId)).toEqual([endpoints[0]!.endpointId]);
      });

      contractCase('an insert that fails records no event', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant);
        await store.assets.insertAsset(asset);
        await expect(store.assets.insertAsset(asset, { event: anEvent(tenant, 'asset.completed', asset.assetId) })).rejects.toThrow();
        expect(await eventsOf(tenant)).toEqual([]);
      });

      contractCase('a transition records its event made from the asset as it now is; one that does not match records none', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant, { status: 'pending_upload', completedAt: null });
        await store.assets.insertAsset(asset);
        const make = (a: typeof asset) => ({ ...anEvent(tenant, 'asset.completed', a.assetId), data: { status: a.status, sha256: a.sha256 } });
        const patch = { sha256: 'b'.repeat(64) };
        expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'failed', to: 'completed', event: make })).toBe(false);
        expect(await eventsOf(tenant)).toEqual([]);
        expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'completed', patch, event: make })).toBe(true);
        const [event] = await eventsOf(tenant);
        expect(event?.data).toEqual({ status: 'completed', sha256: 'b'.repeat(64) });
      });

      contractCase('deleteAsset records its event only when it deleted something', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant);
        await store.assets.insertAsset(asset);
        const make = (a: typeof asset) => anEvent(tenant, 'asset.deleted', a.assetId);
        expect(await store.assets.deleteAsset(`${tenant}-other`, asset.assetId, { event: make })).toBeNull();
        expect(await eventsOf(tenant)).toEqual([]);
        expect((await store.assets.deleteAsset(tenant, asset.assetId, { event: make }))?.assetId).toBe(asset.assetId);
        expect((await eventsOf(tenant)).map((e) => e.eventType)).toEqual(['asset.deleted']);
      });

      contractCase('a batch is finished once, by the transition (of items settling at once) that leaves none pending', async () => {
        const { tenant } = await setUp([]);
        const batchId = `batch_${randomUUID()}`;
        const items = [0, 1, 2, 3].map(() => anAsset(tenant, { status: 'pending_upload', completedAt: null, batchId }));
        await store.assets.insertBatch({ batchId, tenant, title: null, callbackUrl: null, createdAt: new Date(), completionRequestedAt: null }, items);
        const settle = (assetId: string, to: 'completed' | 'failed') =>
          store.assets.transitionAsset({
            assetId,
            from: 'pending_upload',
            to,
            batchFinished: (batch) => ({ ...anEvent(batch.tenant, 'upload_batch.finished', batch.batchId), data: { counts: batch.countsByStatus } }),
          });
        await settle(items[0]!.assetId, 'completed');
        expect(await eventsOf(tenant)).toEqual([]);
        await Promise.all([settle(items[1]!.assetId, 'completed'), settle(items[2]!.assetId, 'failed'), settle(items[3]!.assetId, 'completed')]);
        const events = await eventsOf(tenant);
        expect(events.map((e) => [e.eventType, e.entityId, e.data])).toEqual([['upload_batch.finished', batchId, { counts: { completed: 3, failed: 1 } }]]);
      });

      contractCase('a due delivery is leased to one claimer at a time, settled only by its lease, and taken over once its lease lapses', async () => {
        const { tenant, endpoints } = await setUp([]);
        const asset = anAsset(tenant);
        const event = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event });
        const now = new Date(Date.now() + 1000);
        const [first, second] = await Promise.all([claimAll('lease-a', now), claimAll('lease-b', now)]);
        const mine = [...first!, ...second!].filter((d) => d.event.eventId === event.eventId);
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({ event, endpointId: endpoints[0]!.endpointId, url: endpoints[0]!.url, secret: endpoints[0]!.secret, attempts: 0 });
        const outcome = { eventId: event.eventId, endpointId: endpoints[0]!.endpointId, state: 'pending' as const, dueAt: new Date(now.getTime() + 10_000), error: 'answered 500', at: now, wasFailing: false };
        expect((await store.webhooks.settleDelivery({ ...outcome, leaseId: 'someone-else' })).settled).toBe(false);
        expect((await store.webhooks.settleDelivery({ ...outcome, leaseId: mine[0]!.leaseId })).settled).toBe(true);
        expect(await store.webhooks.deliveriesOf(event.eventId)).toEqual([{ endpointId: endpoints[0]!.endpointId, state: 'pending', attempts: 1, error: 'answered 500' }]);
        expect((await claimAll(randomUUID(), now)).filter((d) => d.event.eventId === event.eventId)).toEqual([]); // not due yet
        const later = new Date(now.getTime() + 10_001);
        const retried = (await claimAll('lease-c', later)).filter((d) => d.event.eventId === event.eventId);
        expect(retried.map((d) => d.attempts)).toEqual([1]);
        // The holder died: its lease lapses and another claimer takes the delivery over.
        const lapsed = (await claimAll('lease-d', new Date(later.getTime() + 60_001))).filter((d) => d.event.eventId === event.eventId);
        expect(lapsed.map((d) => d.leaseId)).toEqual(['lease-d']);
        expect((await store.webhooks.settleDelivery({ ...outcome, leaseId: 'lease-c', state: 'delivered', dueAt: null, error: null })).settled).toBe(false);
        expect((await store.webhooks.settleDelivery({ ...outcome, leaseId: 'lease-d', state: 'delivered', dueAt: null, error: null })).settled).toBe(true);
        expect((await claimAll(randomUUID(), new Date(later.getTime() + 86_400_000))).filter((d) => d.event.eventId === event.eventId)).toEqual([]);
      });

      contractCase('claiming skips the endpoints it is told to', async () => {
        const { tenant, endpoints } = await setUp([], []);
        const asset = anAsset(tenant);
        const event = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event });
        const now = new Date(Date.now() + 1000);
        const claimed = await store.webhooks.claimDueDeliveries({
          now,
          leaseId: randomUUID(),
          leaseUntil: new Date(now.getTime() + 60_000),
          limit: 100,
          skipEndpoints: [endpoints[0]!.endpointId],
        });
        expect(claimed.filter((d) => d.event.eventId === event.eventId).map((d) => d.endpointId)).toEqual([endpoints[1]!.endpointId]);
      });

      contractCase('lists a tenant’s endpoints newest first, a page at a time, and none of another tenant’s', async () => {
        const { tenant } = await setUp();
        const made: WebhookEndpoint[] = [];
        for (let i = 0; i < 3; i++) {
          const endpoint = { ...anEndpoint(tenant), createdAt: new Date(1_700_000_000_000 + i * 1000) };
          await store.webhooks.insertEndpoint(endpoint);
          made.push(endpoint);
        }
        await setUp([]);
        const first = await store.webhooks.listEndpoints({ tenant, limit: 2 });
        expect(first.endpoints.map((e) => e.endpointId)).toEqual([made[2]!.endpointId, made[1]!.endpointId]);
        expect(first.next).toEqual({ createdAt: made[1]!.createdAt, endpointId: made[1]!.endpointId });
        const second = await store.webhooks.listEndpoints({ tenant, limit: 2, after: first.next! });
        expect(second.endpoints).toEqual([made[0]]);
        expect(second.next).toBeNull();
      });

      contractCase('updateEndpoint replaces url and events, re-enables, and finds no other tenant’s endpoint', async () => {
        const { tenant, endpoints } = await setUp(['asset.completed']);
        const id = endpoints[0]!.endpointId;
        expect(await store.webhooks.updateEndpoint(`${tenant}-other`, id, { url: 'https://evil.example/' })).toBeNull();
        const changed = await store.webhooks.updateEndpoint(tenant, id, { url: 'https://new.example/hook', events: ['asset.deleted', 'asset.failed'] });
        expect(changed).toMatchObject({ url: 'https://new.example/hook', events: ['asset.deleted', 'asset.failed'], status: 'enabled' });
        expect(await store.webhooks.updateEndpoint(tenant, id, {})).toEqual(changed);
        await store.webhooks.disableEndpoint({ endpointId: id, reason: 'failing', event: anEvent(tenant, 'webhook_endpoint.disabled', id) });
        expect(await store.webhooks.findEndpoint(tenant, id)).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
        expect(await store.webhooks.updateEndpoint(tenant, id, { enable: true })).toMatchObject({ status: 'enabled', disabledReason: null, failingSince: null });
      });

      contractCase('rotateSecret keeps the old secret beside the new one until its time, and claims carry both until then', async () => {
        const { tenant, endpoints } = await setUp([]);
        const id = endpoints[0]!.endpointId;
        const until = new Date(Date.now() + 60_000);
        expect(await store.webhooks.rotateSecret({ tenant: `${tenant}-other`, endpointId: id, secret: 'whsec_bmV3', previousUntil: until })).toBeNull();
        const rotated = await store.webhooks.rotateSecret({ tenant, endpointId: id, secret: 'whsec_bmV3', previousUntil: until });
        expect(rotated).toMatchObject({ secret: 'whsec_bmV3', previousSecret: endpoints[0]!.secret, previousSecretUntil: until });
        const asset = anAsset(tenant);
        const event = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event });
        const within = (await claimAll('lease-1', new Date(until.getTime() - 1000))).find((d) => d.event.eventId === event.eventId);
        expect(within).toMatchObject({ secret: 'whsec_bmV3', previousSecret: endpoints[0]!.secret });
        const after = (await claimAll('lease-2', new Date(until.getTime() + 61_000))).find((d) => d.event.eventId === event.eventId);
        expect(after).toMatchObject({ secret: 'whsec_bmV3', previousSecret: null });
      });

      contractCase('deleteEndpoint removes it and the deliveries it is still owed; another tenant cannot', async () => {
        const { tenant, endpoints } = await setUp([], []);
        const asset = anAsset(tenant);
        const event = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event });
        const id = endpoints[0]!.endpointId;
        expect(await store.webhooks.deleteEndpoint(`${tenant}-other`, id)).toBe(false);
        expect(await store.webhooks.deleteEndpoint(tenant, id)).toBe(true);
        expect(await store.webhooks.findEndpoint(tenant, id)).toBeNull();
        expect((await store.webhooks.deliveriesOf(event.eventId)).map((d) => d.endpointId)).toEqual([endpoints[1]!.endpointId]);
        expect(await store.webhooks.deleteEndpoint(tenant, id)).toBe(false);
      });

      contractCase('an endpoint naming an entity is owed only events about it', async () => {
        const { tenant } = await setUp();
        const watched = anAsset(tenant);
        const endpoint = { ...anEndpoint(tenant), entityId: watched.assetId };
        await store.webhooks.insertEndpoint(endpoint);
        const other = anAsset(tenant);
        const aboutOther = anEvent(tenant, 'asset.completed', other.assetId);
        const aboutWatched = anEvent(tenant, 'asset.completed', watched.assetId);
        await store.assets.insertAsset(other, { event: aboutOther });
        await store.assets.insertAsset(watched, { event: aboutWatched });
        expect(await store.webhooks.deliveriesOf(aboutOther.eventId)).toEqual([]);
        expect((await store.webhooks.deliveriesOf(aboutWatched.eventId)).map((d) => d.endpointId)).toEqual([endpoint.endpointId]);
      });

      contractCase('settling tracks the endpoint’s failing streak: started by a failure, kept by the next, ended by a success', async () => {
        const { tenant, endpoints } = await setUp([]);
        const id = endpoints[0]!.endpointId;
        const settleNext = async (state: 'pending' | 'delivered', at: Date) => {
          const asset = anAsset(tenant);
          const event = anEvent(tenant, 'asset.completed', asset.assetId);
          await store.assets.insertAsset(asset, { event });
          const [delivery] = (await claimAll(randomUUID(), new Date(Date.now() + 1000))).filter((d) => d.event.eventId === event.eventId);
          const error = state === 'pending' ? 'answered 503' : null;
          return store.webhooks.settleDelivery({
            eventId: event.eventId,
            endpointId: id,
            leaseId: delivery!.leaseId,
            state,
            dueAt: state === 'pending' ? at : null,
            error,
            at,
            wasFailing: delivery!.failingSince !== null,
          });
        };
        const t0 = new Date(1_800_000_000_000);
        expect(await settleNext('pending', t0)).toEqual({ settled: true, failingSince: t0 });
        expect(await settleNext('pending', new Date(t0.getTime() + 5000))).toEqual({ settled: true, failingSince: t0 });
        expect((await store.webhooks.findEndpoint(tenant, id))?.failingSince).toEqual(t0);
        expect(await settleNext('delivered', new Date(t0.getTime() + 9000))).toEqual({ settled: true, failingSince: null });
        expect((await store.webhooks.findEndpoint(tenant, id))?.failingSince).toBeNull();
      });

      contractCase('disableEndpoint gives up what the endpoint is owed and records why, once; disabled endpoints are owed nothing new', async () => {
        const { tenant, endpoints } = await setUp([], []);
        const [failing, healthy] = endpoints as [WebhookEndpoint, WebhookEndpoint];
        const asset = anAsset(tenant);
        const owed = anEvent(tenant, 'asset.completed', asset.assetId);
        await store.assets.insertAsset(asset, { event: owed });
        const why = { ...anEvent(tenant, 'webhook_endpoint.disabled', failing.endpointId), data: { reason: 'down for 5 days' } };
        expect(await store.webhooks.disableEndpoint({ endpointId: failing.endpointId, reason: 'down for 5 days', event: why })).toBe(true);
        expect(await store.webhooks.disableEndpoint({ endpointId: failing.endpointId, reason: 'again', event: anEvent(tenant, 'webhook_endpoint.disabled', failing.endpointId) })).toBe(false);
        expect(await store.webhooks.findEndpoint(tenant, failing.endpointId)).toMatchObject({ status: 'disabled', disabledReason: 'down for 5 days' });
        expect(await store.webhooks.deliveriesOf(owed.eventId)).toEqual([
          { endpointId: failing.endpointId, state: 'failed', attempts: 0, error: 'the endpoint was disabled' },
          { endpointId: healthy.endpointId, state: 'pending', attempts: 0, error: null },
        ].sort((a, b) => a.endpointId.localeCompare(b.endpointId)));
        // The history holds why, and the tenant's other endpoints are told.
        expect((await eventsOf(tenant)).map((e) => e.eventType)).toEqual(['webhook_endpoint.disabled', 'asset.completed']);
        expect((await store.webhooks.deliveriesOf(why.eventId)).map((d) => d.endpointId)).toEqual([healthy.endpointId]);
        const later = anAsset(tenant);
        const next = anEvent(tenant, 'asset.completed', later.assetId);
        await store.assets.insertAsset(later, { event: next });
        expect((await store.webhooks.deliveriesOf(next.eventId)).map((d) => d.endpointId)).toEqual([healthy.endpointId]);
      });

      contractCase('listEvents filters by type and entity and pages newest first', async () => {
        const { tenant } = await setUp();
        const assets = [anAsset(tenant), anAsset(tenant), anAsset(tenant)];
        const recorded: WebhookEvent[] = [];
        for (const asset of assets) {
          const event = anEvent(tenant, 'asset.completed', asset.assetId);
          await store.assets.insertAsset(asset, { event });
          recorded.push(event);
        }
        const gone = { ...anEvent(tenant, 'asset.deleted', assets[0]!.assetId) };
        await store.assets.deleteAsset(tenant, assets[0]!.assetId, { event: () => gone });
        const ids = (events: readonly WebhookEvent[]) => events.map((e) => e.eventId);
        expect(ids((await store.webhooks.listEvents({ tenant, limit: 10, eventType: 'asset.deleted' })).events)).toEqual([gone.eventId]);
        expect(ids((await store.webhooks.listEvents({ tenant, limit: 10, entityId: assets[0]!.assetId })).events)).toEqual([gone.eventId, recorded[0]!.eventId]);
        expect(ids((await store.webhooks.listEvents({ tenant, limit: 10, eventType: 'asset.completed', entityId: assets[0]!.assetId })).events)).toEqual([recorded[0]!.eventId]);
        const first = await store.webhooks.listEvents({ tenant, limit: 3, eventType: 'asset.completed' });
        expect(ids(first.events)).toEqual([recorded[2]!.eventId, recorded[1]!.eventId, recorded[0]!.eventId]);
        expect(first.next).toBeNull();
        const page1 = await store.webhooks.listEvents({ tenant, limit: 2 });
        const page2 = await store.webhooks.listEvents({ tenant, limit: 2, after: page1.next! });
        expect([...ids(page1.events), ...ids(page2.events)]).toEqual([gone.eventId, recorded[2]!.eventId, recorded[1]!.eventId, recorded[0]!.eventId]);
        expect(page2.next).toBeNull();
        expect((await store.webhooks.listEvents({ tenant: `${tenant}-other`, limit: 10 })).events).toEqual([]);
      });

      contractCase('a job finished or stopped records its event in the same transaction, owed to its callback_url too; a lost lease records none', async () => {
        const { tenant, endpoints } = await setUp(['lipsync.success', 'lipsync.fail']);
        const now = Date.now();
        const aJob = (callbackUrl: string | null): Job => ({
          jobId: `lipsync_${randomUUID()}`, tenant, kind: 'lipsync', status: 'pending', request: {}, outputAssetId: null, errorMessage: null,
          callbackUrl, leaseId: null, leaseExpiresAt: null, attempts: 0, version: 0, createdAt: new Date(now), updatedAt: new Date(now),
        });
        const make = (job: Job) => ({ ...anEvent(job.tenant, `lipsync.${job.status === 'completed' ? 'success' : 'fail'}`, job.jobId), data: { status: job.status, output: job.outputAssetId } });
        const hooked = aJob('https://receiver.example/jobs/1?x=1');
        await store.jobs.insertJob(hooked);
        const leased = await store.jobs.claimJob({ kinds: ['lipsync'], now: new Date(now + 10), leaseId: 'L1', leaseExpiresAt: new Date(now + 60_000) });
        expect(leased?.jobId).toBe(hooked.jobId);
        const finish = { jobId: hooked.jobId, now: new Date(now + 20), status: 'completed' as const, outputAssetId: 'asset_out', errorMessage: null, event: make };
        expect(await store.jobs.finishJob({ ...finish, leaseId: 'not-mine' })).toBe(false);
        expect(await eventsOf(tenant)).toEqual([]);
        expect(await store.jobs.finishJob({ ...finish, leaseId: 'L1' })).toBe(true);
        const [event] = await eventsOf(tenant);
        expect(event).toMatchObject({ eventType: 'lipsync.success', entityId: hooked.jobId, data: { status: 'completed', output: 'asset_out' } });
        expect((await store.webhooks.deliveriesOf(event!.eventId)).map((d) => d.endpointId).sort()).toEqual(
          [endpoints[0]!.endpointId, 'callback:https://receiver.example'].sort(),
        );
        const claimed = (await claimAll()).filter((d) => d.event.eventId === event!.eventId);
        expect(claimed.find((d) => d.callbackUrl !== null)).toMatchObject({ url: 'https://receiver.example/jobs/1?x=1', secret: null, callbackUrl: 'https://receiver.example/jobs/1?x=1' });

        const silent = aJob(null);
        await store.jobs.insertJob(silent);
        expect(await store.jobs.stopJob({ jobId: silent.jobId, now: new Date(now + 30), errorMessage: 'stopped', event: make })).toBe(true);
        expect(await store.jobs.stopJob({ jobId: silent.jobId, now: new Date(now + 40), errorMessage: 'stopped', event: make })).toBe(false);
        const stopped = (await eventsOf(tenant)).filter((e) => e.entityId === silent.jobId);
        expect(stopped.map((e) => e.eventType)).toEqual(['lipsync.fail']);
        expect((await store.webhooks.deliveriesOf(stopped[0]!.eventId)).map((d) => d.endpointId)).toEqual([endpoints[0]!.endpointId]);
      });

      contractCase('a batch’s finish is owed to its callback_url; deleting its last pending item finishes it', async () => {
        const { tenant } = await setUp();
        const finished = (batch: { batchId: string; tenant: string; countsByStatus: Readonly<Record<string, number>> }) => ({
          ...anEvent(batch.tenant, 'upload_batch.finished', batch.batchId),
          data: { counts: batch.countsByStatus },
        });
        const batchId = `batch_${randomUUID()}`;
        const items = [0, 1].map(() => anAsset(tenant, { status: 'pending_upload', completedAt: null, batchId }));
        await store.assets.insertBatch(
          { batchId, tenant, title: null, callbackUrl: 'https://receiver.example/batches', createdAt: new Date(), completionRequestedAt: null },
          items,
        );
        expect(await store.assets.transitionAsset({ assetId: items[0]!.assetId, from: 'pending_upload', to: 'completed', batchFinished: finished })).toBe(true);
        expect(await eventsOf(tenant)).toEqual([]);
        expect((await store.assets.deleteAsset(tenant, items[1]!.assetId, { batchFinished: finished }))?.assetId).toBe(items[1]!.assetId);
        const events = await eventsOf(tenant);
        expect(events.map((e) => [e.eventType, e.entityId, e.data])).toEqual([['upload_batch.finished', batchId, { counts: { completed: 1 } }]]);
        expect(await store.webhooks.deliveriesOf(events[0]!.eventId)).toEqual([
          { endpointId: 'callback:https://receiver.example', state: 'pending', attempts: 0, error: null },
        ]);
        // A completed item deleted later finishes nothing again.
        await store.assets.deleteAsset(tenant, items[0]!.assetId, { batchFinished: finished });
        expect(await eventsOf(tenant)).toHaveLength(1);
      });
    });
  });
}
