// WebhookRecords over Kysely. recordEvent is also what the asset queries call inside their own transaction, so an
// event and the deliveries it owes commit or roll back with the state change they report.
import type { Kysely, Selectable } from 'kysely';
import type { DeliveryOutcome, EndpointStatus, LeasedDelivery, WebhookEndpoint, WebhookEvent, WebhookRecords } from '../../domain/ports/index.js';
import { num, type Database, type WebhookEndpointsTable, type WebhookEventsTable } from '../schema.js';

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
    secret: row.secret,
    status: row.status as EndpointStatus,
    createdAt: new Date(num(row.created_at)),
  };
}

/** Records the event and owes one delivery, due at once, to each of its tenant's enabled endpoints taking its type. */
export async function recordEvent(trx: Kysely<Database>, event: WebhookEvent): Promise<void> {
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
    .select(['endpoint_id', 'events'])
    .where('tenant', '=', event.tenant)
    .where('status', '=', 'enabled')
    .execute();
  const subscribed = endpoints.filter((e) => {
    const types = JSON.parse(e.events) as string[];
    return types.length === 0 || types.includes(event.eventType);
  });
  if (subscribed.length === 0) return;
  await trx
    .insertInto('webhook_deliveries')
    .values(
      subscribed.map((e) => ({
        event_id: event.eventId,
        endpoint_id: e.endpoint_id,
        state: 'pending',
        due_at: event.createdAt.getTime(),
        lease_id: null,
        lease_until: null,
        error: null,
      })),
    )
    .execute();
}

export class KyselyWebhookRecords implements WebhookRecords {
  constructor(private readonly db: Kysely<Database>) {}

  async insertEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        endpoint_id: endpoint.endpointId,
        tenant: endpoint.tenant,
        url: endpoint.url,
        events: JSON.stringify(endpoint.events),
        secret: endpoint.secret,
        status: endpoint.status,
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

  async listEvents({ tenant, limit }: { tenant: string; limit: number }): Promise<WebhookEvent[]> {
    const rows = await this.db.selectFrom('webhook_events').selectAll().where('tenant', '=', tenant).orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(toEvent);
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
        .returning(['attempts'])
        .executeTakeFirst();
      if (!row) continue;
      const [event, endpoint] = await Promise.all([
        this.db.selectFrom('webhook_events').selectAll().where('event_id', '=', eventId).executeTakeFirst(),
        this.db.selectFrom('webhook_endpoints').selectAll().where('endpoint_id', '=', endpointId).executeTakeFirst(),
      ]);
      if (!event || !endpoint) continue;
      claimed.push({
        event: toEvent(event),
        endpointId,
        url: endpoint.url,
        secret: endpoint.secret,
        attempts: num(row.attempts),
        leaseId: options.leaseId,
      });
    }
    return claimed;
  }

  async settleDelivery(outcome: DeliveryOutcome): Promise<boolean> {
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
    return Number(result.numUpdatedRows) === 1;
  }

  async deliveriesOf(eventId: string): Promise<{ endpointId: string; state: string; attempts: number; error: string | null }[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'state', 'attempts', 'error'])
      .where('event_id', '=', eventId)
      .orderBy('endpoint_id')
      .execute();
    return rows.map((r) => ({ endpointId: r.endpoint_id, state: r.state, attempts: num(r.attempts), error: r.error }));
  }
}
