// WebhookRecords over Kysely. recordEvent is also what the asset and job queries call inside their own transaction,
// so an event and the deliveries it owes commit or roll back with the state change they report.
import type { Kysely, Selectable } from 'kysely';
import {
  CALLBACK_TARGET_PREFIX,
  type DeliveryOutcome,
  type DeliveryState,
  type EndpointChanges,
  type EndpointPage,
  type EndpointPosition,
  type EndpointStatus,
  type EventPage,
  type EventToRecord,
  type LeasedDelivery,
  type SettledDelivery,
  type WebhookEndpoint,
  type WebhookEvent,
  type WebhookRecords,
} from '../../domain/ports/webhooks.js';
import { dateOrNull, num, type Database, type WebhookEndpointsTable, type WebhookEventsTable } from '../schema.js';

function toEvent(row: Selectable<WebhookEventsTable>): WebhookEvent {
  return {
    eventId: row.event_id,
    tenant: row.tenant,
    eventType: row.event_type,
    entityId: row.entity_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: new Date(num(row.created_at)),
  };
}

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    endpointId: row.endpoint_id,
    tenant: row.tenant,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    entityId: row.entity_id,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretUntil: dateOrNull(row.previous_secret_until),
    status: row.status as EndpointStatus,
    disabledReason: row.disabled_reason,
    failingSince: dateOrNull(row.failing_since),
    createdAt: new Date(num(row.created_at)),
  };
}

/** The endpoint_id of a callback_url's deliveries: one per origin, so a slow receiver is held back as one endpoint. */
function callbackTarget(url: string): string {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    origin = url;
  }
  return `${CALLBACK_TARGET_PREFIX}${origin}`;
}

/** Per process, not per store: recordEvent runs inside the asset and job queries' transactions too. */
let deliveriesRecorded = 0;

/**
 * Records the event and owes one delivery, due at once, to each of its tenant's enabled endpoints taking its type
 * (and its entity, for an endpoint that names one), and to `callbackUrl` when given.
 */
export async function recordEvent(trx: Kysely<Database>, { event, callbackUrl = null }: EventToRecord): Promise<void> {
  await trx
    .insertInto('webhook_events')
    .values({
      event_id: event.eventId,
      tenant: event.tenant,
      event_type: event.eventType,
      entity_id: event.entityId,
      data: JSON.stringify(event.data),
      created_at: event.createdAt.getTime(),
    })
    .execute();
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['endpoint_id', 'events', 'entity_id'])
    .where('tenant', '=', event.tenant)
    .where('status', '=', 'enabled')
    .execute();
  const targets = endpoints
    .filter((e) => {
      const types = JSON.parse(e.events) as string[];
      return (types.length === 0 || types.includes(event.eventType)) && (e.entity_id === null || e.entity_id === event.entityId);
    })
    .map((e) => ({ endpointId: e.endpoint_id, callbackUrl: null as string | null }));
  if (callbackUrl) targets.push({ endpointId: callbackTarget(callbackUrl), callbackUrl });
  if (targets.length === 0) return;
  deliveriesRecorded += targets.length;
  await trx
    .insertInto('webhook_deliveries')
    .values(
      targets.map((target) => ({
        event_id: event.eventId,
        endpoint_id: target.endpointId,
        state: 'pending',
        due_at: event.createdAt.getTime(),
        lease_id: null,
        lease_until: null,
        error: null,
        callback_url: target.callbackUrl,
      })),
    )
    .execute();
}

export class KyselyWebhookRecords implements WebhookRecords {
  constructor(private readonly db: Kysely<Database>) {}

  deliveriesRecordedHere(): number {
    return deliveriesRecorded;
  }

  async insertEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        endpoint_id: endpoint.endpointId,
        tenant: endpoint.tenant,
        url: endpoint.url,
        events: JSON.stringify(endpoint.events),
        entity_id: endpoint.entityId,
        secret: endpoint.secret,
        previous_secret: endpoint.previousSecret,
        previous_secret_until: endpoint.previousSecretUntil?.getTime() ?? null,
        status: endpoint.status,
        disabled_reason: endpoint.disabledReason,
        failing_since: endpoint.failingSince?.getTime() ?? null,
        created_at: endpoint.createdAt.getTime(),
      })
      .execute();
  }

  async findEndpoint(tenant: string, endpointId: string): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  async listEndpoints({ tenant, limit, after }: { tenant: string; limit: number; after?: EndpointPosition }): Promise<EndpointPage> {
    let query = this.db.selectFrom('webhook_endpoints').selectAll().where('tenant', '=', tenant);
    if (after) {
      const at = after.createdAt.getTime();
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('endpoint_id', '<', after.endpointId)])]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('endpoint_id', 'desc').limit(limit + 1).execute();
    const endpoints = rows.slice(0, limit).map(toEndpoint);
    const last = endpoints.at(-1);
    return { endpoints, next: rows.length > limit && last ? { createdAt: last.createdAt, endpointId: last.endpointId } : null };
  }

  async updateEndpoint(tenant: string, endpointId: string, changes: EndpointChanges): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set({
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.events !== undefined ? { events: JSON.stringify(changes.events) } : {}),
        ...(changes.enable ? { status: 'enabled', disabled_reason: null, failing_since: null } : {}),
        // Every update sets something, so that an empty PATCH still answers the endpoint as it is.
        tenant,
      })
      .where('tenant', '=', tenant)
      .where('endpoint_id', '=', endpointId)
      .returningAll()
      .executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  async rotateSecret(options: { tenant: string; endpointId: string; secret: string; previousUntil: Date }): Promise<WebhookEndpoint | null> {
    // The right-hand side reads the row as it was: the current secret becomes the previous one.
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_until: options.previousUntil.getTime(), secret: options.secret }))
      .where('tenant', '=', options.tenant)
      .where('endpoint_id', '=', options.endpointId)
      .returningAll()
      .executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  async deleteEndpoint(tenant: string, endpointId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('webhook_endpoints').where('tenant', '=', tenant).where('endpoint_id', '=', endpointId).executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return false;
      await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', endpointId).where('state', '=', 'pending').execute();
      return true;
    });
  }

  async disableEndpoint({ endpointId, reason, event }: { endpointId: string; reason: string; event: WebhookEvent }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const disabled = await trx
        .updateTable('webhook_endpoints')
        .set({ status: 'disabled', disabled_reason: reason })
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'enabled')
        .executeTakeFirst();
      if (Number(disabled.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('webhook_deliveries')
        .set({ state: 'failed', due_at: null, lease_id: null, lease_until: null, error: 'the endpoint was disabled' })
        .where('endpoint_id', '=', endpointId)
        .where('state', '=', 'pending')
        .execute();
      await recordEvent(trx, { event });
      return true;
    });
  }

  async listEvents(options: { tenant: string; limit: number; eventType?: string; entityId?: string; after?: number }): Promise<EventPage> {
    let query = this.db.selectFrom('webhook_events').selectAll().where('tenant', '=', options.tenant);
    if (options.eventType !== undefined) query = query.where('event_type', '=', options.eventType);
    if (options.entityId !== undefined) query = query.where('entity_id', '=', options.entityId);
    if (options.after !== undefined) query = query.where('seq', '<', options.after);
    const rows = await query.orderBy('seq', 'desc').limit(options.limit + 1).execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return { events: page.map(toEvent), next: rows.length > options.limit && last ? num(last.seq) : null };
  }

  async claimDueDeliveries(options: {
    now: Date;
    leaseId: string;
    leaseUntil: Date;
    limit: number;
    skipEndpoints: readonly string[];
  }): Promise<LeasedDelivery[]> {
    const t = options.now.getTime();
    let query = this.db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'endpoint_id'])
      .where('state', '=', 'pending')
      .where('due_at', '<=', t)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', t)]));
    if (options.skipEndpoints.length > 0) query = query.where('endpoint_id', 'not in', [...options.skipEndpoints]);
    const due = await query.orderBy('due_at', 'asc').limit(options.limit).execute();
    const claimed: LeasedDelivery[] = [];
    for (const { event_id: eventId, endpoint_id: endpointId } of due) {
      // The same conditions again, in the update: another process may have claimed or settled it meanwhile.
      const row = await this.db
        .updateTable('webhook_deliveries')
        .set({ lease_id: options.leaseId, lease_until: options.leaseUntil.getTime() })
        .where('event_id', '=', eventId)
        .where('endpoint_id', '=', endpointId)
        .where('state', '=', 'pending')
        .where('due_at', '<=', t)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', t)]))
        .returning(['attempts', 'callback_url'])
        .executeTakeFirst();
      if (!row) continue;
      const [event, endpoint] = await Promise.all([
        this.db.selectFrom('webhook_events').selectAll().where('event_id', '=', eventId).executeTakeFirst(),
        row.callback_url !== null
          ? undefined
          : this.db.selectFrom('webhook_endpoints').selectAll().where('endpoint_id', '=', endpointId).executeTakeFirst(),
      ]);
      if (!event) continue;
      const base = { event: toEvent(event), endpointId, attempts: num(row.attempts), leaseId: options.leaseId };
      if (row.callback_url !== null) {
        claimed.push({ ...base, url: row.callback_url, secret: null, previousSecret: null, callbackUrl: row.callback_url, failingSince: null });
        continue;
      }
      if (!endpoint || endpoint.status !== 'enabled') {
        // Owed by an event that committed while the endpoint was being disabled or deleted (its transaction read
        // it enabled): given up here, or it would be claimed again each time its lease lapsed.
        await this.db
          .updateTable('webhook_deliveries')
          .set({ state: 'failed', due_at: null, lease_id: null, lease_until: null, error: endpoint ? 'the endpoint was disabled' : 'the endpoint was deleted' })
          .where('event_id', '=', eventId)
          .where('endpoint_id', '=', endpointId)
          .where('lease_id', '=', options.leaseId)
          .execute();
        continue;
      }
      const previousValid = endpoint.previous_secret !== null && num(endpoint.previous_secret_until ?? 0) > t;
      claimed.push({
        ...base,
        url: endpoint.url,
        secret: endpoint.secret,
        previousSecret: previousValid ? endpoint.previous_secret : null,
        callbackUrl: null,
        failingSince: dateOrNull(endpoint.failing_since),
      });
    }
    return claimed;
  }

  async settleDelivery(outcome: DeliveryOutcome): Promise<SettledDelivery> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        state: outcome.state,
        attempts: eb('attempts', '+', 1),
        due_at: outcome.dueAt?.getTime() ?? null,
        lease_id: null,
        lease_until: null,
        error: outcome.error,
      }))
      .where('event_id', '=', outcome.eventId)
      .where('endpoint_id', '=', outcome.endpointId)
      .where('state', '=', 'pending')
      .where('lease_id', '=', outcome.leaseId)
      .executeTakeFirst();
    const settled = Number(result.numUpdatedRows) === 1;
    if (!settled || outcome.endpointId.startsWith(CALLBACK_TARGET_PREFIX)) return { settled, failingSince: null };
    if (outcome.state === 'delivered') {
      if (!outcome.wasFailing) return { settled, failingSince: null };
      await this.db
        .updateTable('webhook_endpoints')
        .set({ failing_since: null })
        .where('endpoint_id', '=', outcome.endpointId)
        .where('failing_since', 'is not', null)
        .execute();
      return { settled, failingSince: null };
    }
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(outcome.at.getTime())) }))
      .where('endpoint_id', '=', outcome.endpointId)
      .returning(['failing_since'])
      .executeTakeFirst();
    return { settled, failingSince: dateOrNull(row?.failing_since ?? null) };
  }

  async deliveriesOf(eventId: string): Promise<DeliveryState[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'state', 'attempts', 'error'])
      .where('event_id', '=', eventId)
      .orderBy('endpoint_id')
      .execute();
    return rows.map((r) => ({ endpointId: r.endpoint_id, state: r.state, attempts: num(r.attempts), error: r.error }));
  }

  async purgeEvents(before: Date, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Oldest first along seq, the order they were recorded in: the scan stops at the first recent one it needs.
      const rows = await trx
        .selectFrom('webhook_events')
        .select('event_id')
        .where('created_at', '<', before.getTime())
        .orderBy('seq')
        .limit(limit)
        .execute();
      const ids = rows.map((r) => r.event_id);
      if (ids.length === 0) return 0;
      await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', ids).execute();
      await trx.deleteFrom('webhook_events').where('event_id', 'in', ids).execute();
      return ids.length;
    });
  }
}
