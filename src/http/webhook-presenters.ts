// Webhook records → the JSON shapes of /v3/webhooks. An endpoint's secret is shown only where the caller asked for
// it to be made (create, rotate-secret); everywhere else it is null.
import type { EventTypeInfo } from '../domain/event-types.js';
import type { WebhookEndpoint, WebhookEvent } from '../domain/ports/index.js';
import type { EndpointListing, EventListing } from '../domain/webhook-endpoints.js';
import type { EndpointJson, EndpointPageJson, EventPageJson, EventTypeListJson, RotatedSecretJson } from './schemas/webhooks.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function endpointJson(endpoint: WebhookEndpoint, options: { withSecret?: boolean } = {}): EndpointJson {
  const rotating = endpoint.previousSecret !== null && endpoint.previousSecretUntil !== null;
  return {
    endpoint_id: endpoint.endpointId,
    url: endpoint.url,
    status: endpoint.status,
    events: endpoint.events.length === 0 ? null : [...endpoint.events],
    secret: options.withSecret ? endpoint.secret : null,
    created_at: endpoint.createdAt.toISOString(),
    entity_id: endpoint.entityId,
    disabled_reason: endpoint.disabledReason,
    previous_secret_expires_at: rotating ? iso(endpoint.previousSecretUntil) : null,
  };
}

export function endpointPageJson(listing: EndpointListing): EndpointPageJson {
  return { data: listing.endpoints.map((e) => endpointJson(e)), has_more: listing.nextToken !== null, next_token: listing.nextToken };
}

export function rotatedSecretJson(endpoint: WebhookEndpoint): RotatedSecretJson {
  return { endpoint_id: endpoint.endpointId, secret: endpoint.secret, previous_secret_expires_at: endpoint.previousSecretUntil!.toISOString() };
}

export function eventTypesJson(types: readonly EventTypeInfo[]): EventTypeListJson {
  return {
    data: types.map((t) => ({ event_type: t.eventType, description: t.description, emitted: t.emitted, extension: t.extension })),
    has_more: false,
    next_token: null,
  };
}

export function eventJson(event: WebhookEvent): EventPageJson['data'][number] {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    event_data: event.data,
    created_at: event.createdAt.toISOString(),
    entity_id: event.entityId,
  };
}

export function eventPageJson(listing: EventListing): EventPageJson {
  return { data: listing.events.map(eventJson), has_more: listing.nextToken !== null, next_token: listing.nextToken };
}
