// /v3/webhooks: a tenant's endpoints (create, list, update, delete, rotate-secret), the event types and the event
// history, in the platform's shapes. Each handler is one WebhookEndpointService call and one presenter.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { WebhookEndpointService } from '../../domain/webhook-endpoints.js';
import { Data, errorResponses } from '../schemas/common.js';
import {
  CreateEndpointBody,
  DeletedEndpoint,
  Endpoint,
  EndpointPage,
  EndpointParams,
  EventPage,
  EventsQuery,
  EventTypeList,
  ListEndpointsQuery,
  RotatedSecret,
  UpdateEndpointBody,
} from '../schemas/webhooks.js';
import { endpointJson, endpointPageJson, eventPageJson, eventTypesJson, rotatedSecretJson } from '../webhook-presenters.js';

export interface WebhookRoutesOptions {
  readonly endpoints: WebhookEndpointService;
}

export async function webhookRoutes(fastify: FastifyInstance, options: WebhookRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { endpoints } = options;
  const tags = ['webhooks'];

  app.post(
    '/v3/webhooks/endpoints',
    {
      schema: {
        summary: 'Subscribe a URL to event types; the answer holds its signing secret, shown this once.',
        tags,
        body: CreateEndpointBody,
        response: { 200: Data(Endpoint), ...errorResponses },
      },
    },
    async (request) => {
      const { url, events, entity_id: entityId } = request.body;
      return { data: endpointJson(await endpoints.create(request.tenant, { url, events, entityId }), { withSecret: true }) };
    },
  );

  app.get(
    '/v3/webhooks/endpoints',
    {
      schema: { summary: "The caller's endpoints, newest first.", tags, querystring: ListEndpointsQuery, response: { 200: EndpointPage, ...errorResponses } },
    },
    async (request) => endpointPageJson(await endpoints.list(request.tenant, request.query)),
  );

  app.patch(
    '/v3/webhooks/endpoints/:endpoint_id',
    {
      schema: {
        summary: 'Change the url and/or the events (the list is replaced whole); status "enabled" re-enables a disabled endpoint.',
        tags,
        params: EndpointParams,
        body: UpdateEndpointBody,
        response: { 200: Data(Endpoint), ...errorResponses },
      },
    },
    async (request) => ({ data: endpointJson(await endpoints.update(request.tenant, request.params.endpoint_id, request.body ?? {})) }),
  );

  app.delete(
    '/v3/webhooks/endpoints/:endpoint_id',
    {
      schema: {
        summary: 'Remove an endpoint; deliveries still owed to it are dropped.',
        tags,
        params: EndpointParams,
        response: { 200: Data(DeletedEndpoint), ...errorResponses },
      },
    },
    async (request) => {
      await endpoints.delete(request.tenant, request.params.endpoint_id);
      return { data: { endpoint_id: request.params.endpoint_id, deleted: true } };
    },
  );

  app.post(
    '/v3/webhooks/endpoints/:endpoint_id/rotate-secret',
    {
      schema: {
        summary: 'A new signing secret, shown this once; the old one keeps signing beside it for 24 hours.',
        tags,
        params: EndpointParams,
        response: { 200: Data(RotatedSecret), ...errorResponses },
      },
    },
    async (request) => ({ data: rotatedSecretJson(await endpoints.rotateSecret(request.tenant, request.params.endpoint_id)) }),
  );

  app.get(
    '/v3/webhooks/event-types',
    { schema: { summary: 'Every event type, with what it reports and whether assetd sends it.', tags, response: { 200: EventTypeList, ...errorResponses } } },
    async () => eventTypesJson(endpoints.eventTypes()),
  );

  app.get(
    '/v3/webhooks/events',
    {
      schema: {
        summary: "The caller's events, newest first, optionally of one type or about one entity.",
        tags,
        querystring: EventsQuery,
        response: { 200: EventPage, ...errorResponses },
      },
    },
    async (request) => {
      const { event_type: eventType, entity_id: entityId, limit, token } = request.query;
      return eventPageJson(await endpoints.events(request.tenant, { eventType, entityId, limit, token }));
    },
  );
}
