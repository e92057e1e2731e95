// The WebhookRecords contract, with the AssetRecords methods that record events in their own transaction: every
// metadata adapter (SQLite, PostgreSQL) runs this same block on a whole store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { MetadataStores, WebhookEndpoint, WebhookEvent } from '../../src/domain/ports/index.js';
import { anAsset } from './asset-records.case.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

function anEvent(tenant: string, eventType: string, entityId: string): WebhookEvent {
  return { eventId: `evt_${randomUUID()}`, tenant, eventType, entityId, data: { asset_id: entityId, n: 1 }, createdAt: new Date(Math.floor(Date.now() / 1000) * 1000) };
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
        const endpoint: WebhookEndpoint = {
          endpointId: `ep_${randomUUID()}`,
          tenant,
          url: 'https://receiver.example/hook',
          events,
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          status: 'enabled',
          createdAt: new Date(1_700_000_000_000),
        };
        await store.webhooks.insertEndpoint(endpoint);
        endpoints.push(endpoint);
      }
      return { tenant, endpoints };
    };
    const claimAll = (leaseId: string = randomUUID(), now = new Date(Date.now() + 1000)) =>
      store.webhooks.claimDueDeliveries({ now, leaseId, leaseUntil: new Date(now.getTime() + 60_000), limit: 100, skipEndpoints: [] });

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
        expect(await store.webhooks.listEvents({ tenant, limit: 10 })).toEqual([event]);
        const owed = await store.webhooks.deliveriesOf(event.eventId);
        expect(owed.map((d) => d.endpointId).sort()).toEqual([endpoints[0]!.endpointId, endpoints[2]!.endpointId].sort());
        expect(owed.every((d) => d.state === 'pending' && d.attempts === 0)).toBe(true);
      });

      contractCase('an insert that fails records no event', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant);
        await store.assets.insertAsset(asset);
        await expect(store.assets.insertAsset(asset, { event: anEvent(tenant, 'asset.completed', asset.assetId) })).rejects.toThrow();
        expect(await store.webhooks.listEvents({ tenant, limit: 10 })).toEqual([]);
      });

      contractCase('a transition records its event made from the asset as it now is; one that does not match records none', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant, { status: 'pending_upload', completedAt: null });
        await store.assets.insertAsset(asset);
        const make = (a: typeof asset) => ({ ...anEvent(tenant, 'asset.completed', a.assetId), data: { status: a.status, sha256: a.sha256 } });
        const patch = { sha256: 'b'.repeat(64) };
        expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'failed', to: 'completed', event: make })).toBe(false);
        expect(await store.webhooks.listEvents({ tenant, limit: 10 })).toEqual([]);
        expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'completed', patch, event: make })).toBe(true);
        const [event] = await store.webhooks.listEvents({ tenant, limit: 10 });
        expect(event?.data).toEqual({ status: 'completed', sha256: 'b'.repeat(64) });
      });

      contractCase('deleteAsset records its event only when it deleted something', async () => {
        const { tenant } = await setUp([]);
        const asset = anAsset(tenant);
        await store.assets.insertAsset(asset);
        const make = (a: typeof asset) => anEvent(tenant, 'asset.deleted', a.assetId);
        expect(await store.assets.deleteAsset(`${tenant}-other`, asset.assetId, { event: make })).toBeNull();
        expect(await store.webhooks.listEvents({ tenant, limit: 10 })).toEqual([]);
        expect((await store.assets.deleteAsset(tenant, asset.assetId, { event: make }))?.assetId).toBe(asset.assetId);
        expect((await store.webhooks.listEvents({ tenant, limit: 10 })).map((e) => e.eventType)).toEqual(['asset.deleted']);
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
        expect(await store.webhooks.listEvents({ tenant, limit: 10 })).toEqual([]);
        await Promise.all([settle(items[1]!.assetId, 'completed'), settle(items[2]!.assetId, 'failed'), settle(items[3]!.assetId, 'completed')]);
        const events = await store.webhooks.listEvents({ tenant, limit: 10 });
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
        const outcome = { eventId: event.eventId, endpointId: endpoints[0]!.endpointId, state: 'pending' as const, dueAt: new Date(now.getTime() + 10_000), error: 'answered 500' };
        expect(await store.webhooks.settleDelivery({ ...outcome, leaseId: 'someone-else' })).toBe(false);
        expect(await store.webhooks.settleDelivery({ ...outcome, leaseId: mine[0]!.leaseId })).toBe(true);
        expect(await store.webhooks.deliveriesOf(event.eventId)).toEqual([{ endpointId: endpoints[0]!.endpointId, state: 'pending', attempts: 1, error: 'answered 500' }]);
        expect((await claimAll(randomUUID(), now)).filter((d) => d.event.eventId === event.eventId)).toEqual([]); // not due yet
        const later = new Date(now.getTime() + 10_001);
        const retried = (await claimAll('lease-c', later)).filter((d) => d.event.eventId === event.eventId);
        expect(retried.map((d) => d.attempts)).toEqual([1]);
        // The holder died: its lease lapses and another claimer takes the delivery over.
        const lapsed = (await claimAll('lease-d', new Date(later.getTime() + 60_001))).filter((d) => d.event.eventId === event.eventId);
        expect(lapsed.map((d) => d.leaseId)).toEqual(['lease-d']);
        expect(await store.webhooks.settleDelivery({ ...outcome, leaseId: 'lease-c', state: 'delivered', dueAt: null, error: null })).toBe(false);
        expect(await store.webhooks.settleDelivery({ ...outcome, leaseId: 'lease-d', state: 'delivered', dueAt: null, error: null })).toBe(true);
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
    });
  });
}
