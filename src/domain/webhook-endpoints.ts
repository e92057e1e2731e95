// The webhooks API's rules: a tenant's endpoints (create with a fresh signing secret shown once, list, change url
// and/or events, re-enable, delete, rotate the secret), the catalogue of event types, and the history of events.
// Endpoint URLs obey the URL-input address rules (checked here through the RemoteFiles port, and again by the
// fetcher at every delivery). Another tenant's endpoint is not found, whatever its id.
import { randomBytes } from 'node:crypto';
import { decodeCursor, decodeKeyCursor, encodeCursor, encodeKeyCursor } from './cursor.js';
import { errors } from './errors.js';
import { EVENT_TYPES, isEventType, type EventTypeInfo } from './event-types.js';
import type { RemoteFiles, WebhookEndpoint, WebhookEvent, WebhookRecords } from './ports/index.js';

/** How long a secret replaced by rotate-secret keeps signing beside the new one. */
export const PREVIOUS_SECRET_SECONDS = 24 * 3600;
export const MAX_URL_LENGTH = 2048;
export const MAX_ENTITY_ID_LENGTH = 128;

export interface WebhookEndpointServiceOptions {
  readonly records: WebhookRecords;
  /** The address rules: refuses a URL that could never be called (scheme, credentials, literal private address). */
  readonly remote: Pick<RemoteFiles, 'precheck'>;
  readonly now?: () => Date;
  readonly previousSecretSeconds?: number;
}

export interface NewEndpoint {
  readonly url: string;
  readonly events?: readonly string[] | null | undefined;
  readonly entityId?: string | null | undefined;
}

export interface EndpointUpdate {
  readonly url?: string | null | undefined;
  readonly events?: readonly string[] | null | undefined;
  /** `enabled` re-enables an endpoint that was disabled for failing (assetd's addition to PATCH). */
  readonly status?: 'enabled' | null | undefined;
}

export interface Page {
  readonly limit: number;
  readonly token?: string | undefined;
}

export interface EndpointListing {
  readonly endpoints: WebhookEndpoint[];
  readonly nextToken: string | null;
}

export interface EventListing {
  readonly events: WebhookEvent[];
  readonly nextToken: string | null;
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export class WebhookEndpointService {
  private readonly records: WebhookRecords;
  private readonly now: () => Date;

  constructor(private readonly options: WebhookEndpointServiceOptions) {
    this.records = options.records;
    this.now = options.now ?? (() => new Date());
  }

  /** A new endpoint, enabled, with its secret: the one time the secret is shown. */
  async create(tenant: string, input: NewEndpoint): Promise<WebhookEndpoint> {
    const endpoint: WebhookEndpoint = {
      endpointId: `ep_${randomBytes(16).toString('hex')}`,
      tenant,
      url: this.checkUrl(input.url),
      events: this.checkEvents(input.events ?? []),
      entityId: this.checkEntityId(input.entityId ?? null),
      secret: newWebhookSecret(),
      previousSecret: null,
      previousSecretUntil: null,
      status: 'enabled',
      disabledReason: null,
      failingSince: null,
      createdAt: this.now(),
    };
    await this.records.insertEndpoint(endpoint);
    return endpoint;
  }

  async get(tenant: string, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await this.records.findEndpoint(tenant, endpointId);
    if (!endpoint) throw errors.notFound('Webhook endpoint', 'endpoint_id');
    return endpoint;
  }

  async list(tenant: string, page: Page): Promise<EndpointListing> {
    const after = page.token === undefined ? undefined : decodeKeyCursor(page.token);
    const found = await this.records.listEndpoints({
      tenant,
      limit: page.limit,
      ...(after ? { after: { createdAt: new Date(after.at), endpointId: after.id } } : {}),
    });
    const { next } = found;
    return { endpoints: found.endpoints, nextToken: next ? encodeKeyCursor({ at: next.createdAt.getTime(), id: next.endpointId }) : null };
  }

  /** Replaces the url and/or the events (the whole list); `status: enabled` re-enables a disabled endpoint. */
  async update(tenant: string, endpointId: string, update: EndpointUpdate): Promise<WebhookEndpoint> {
    const changes = {
      ...(update.url !== undefined && update.url !== null ? { url: this.checkUrl(update.url) } : {}),
      ...(update.events !== undefined && update.events !== null ? { events: this.checkEvents(update.events) } : {}),
      ...(update.status === 'enabled' ? { enable: true } : {}),
    };
    const endpoint = await this.records.updateEndpoint(tenant, endpointId, changes);
    if (!endpoint) throw errors.notFound('Webhook endpoint', 'endpoint_id');
    return endpoint;
  }

  /** Removes the endpoint; deliveries it was still owed are dropped. */
  async delete(tenant: string, endpointId: string): Promise<void> {
    if (!(await this.records.deleteEndpoint(tenant, endpointId))) throw errors.notFound('Webhook endpoint', 'endpoint_id');
  }

  /**
   * A new secret, answered once; the old one keeps signing beside it (a second `v1,` signature) for
   * PREVIOUS_SECRET_SECONDS, so receivers can switch without missing a delivery. A second rotation within that time
   * ends the first old secret at once.
   */
  async rotateSecret(tenant: string, endpointId: string): Promise<WebhookEndpoint> {
    const seconds = this.options.previousSecretSeconds ?? PREVIOUS_SECRET_SECONDS;
    const endpoint = await this.records.rotateSecret({
      tenant,
      endpointId,
      secret: newWebhookSecret(),
      previousUntil: new Date(this.now().getTime() + seconds * 1000),
    });
    if (!endpoint) throw errors.notFound('Webhook endpoint', 'endpoint_id');
    return endpoint;
  }

  eventTypes(): readonly EventTypeInfo[] {
    return EVENT_TYPES;
  }

  /** The tenant's events, newest first, of one type and/or about one entity. */
  async events(tenant: string, query: Page & { eventType?: string | undefined; entityId?: string | undefined }): Promise<EventListing> {
    if (query.eventType !== undefined && !isEventType(query.eventType)) {
      throw errors.invalidParameter(`"${query.eventType}" is not an event type; GET /v3/webhooks/event-types lists them.`, 'event_type');
    }
    const after = query.token === undefined ? undefined : decodeCursor(query.token);
    const page = await this.records.listEvents({
      tenant,
      limit: query.limit,
      ...(query.eventType !== undefined ? { eventType: query.eventType } : {}),
      ...(query.entityId !== undefined ? { entityId: query.entityId } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    return { events: page.events, nextToken: page.next === null ? null : encodeCursor(page.next) };
  }

  private checkUrl(url: string): string {
    if (url.length === 0) throw errors.invalidParameter('url is required: the https URL deliveries are POSTed to.', 'url');
    if (url.length > MAX_URL_LENGTH) throw errors.invalidParameter(`url is longer than ${MAX_URL_LENGTH} characters.`, 'url');
    try {
      this.options.remote.precheck(url);
    } catch (error) {
      throw errors.invalidParameter(`url cannot be called: ${(error as Error).message}.`, 'url');
    }
    return url;
  }

  private checkEvents(events: readonly string[]): string[] {
    events.forEach((type, i) => {
      if (!isEventType(type)) {
        throw errors.invalidParameter(`"${type}" is not an event type; GET /v3/webhooks/event-types lists them.`, `events[${i}]`);
      }
    });
    return [...new Set(events)];
  }

  private checkEntityId(entityId: string | null): string | null {
    if (entityId !== null && (entityId.length === 0 || entityId.length > MAX_ENTITY_ID_LENGTH)) {
      throw errors.invalidParameter(`entity_id must be 1 to ${MAX_ENTITY_ID_LENGTH} characters.`, 'entity_id');
    }
    return entityId;
  }
}
