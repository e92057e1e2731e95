// The shapes of /v3/webhooks: endpoints (create, list, update, delete, rotate-secret), the event-type catalogue and
// the event history, with the platform's fields and types, and assetd's own beside them where marked "assetd's own".
// Event types are checked by the domain against the catalogue (the platform's enum and assetd's types), so that an
// unknown one is refused naming it and the catalogue.
import { Type, type Static } from 'typebox';
import { MAX_ENTITY_ID_LENGTH, MAX_URL_LENGTH } from '../../domain/webhook-endpoints.js';
import { Defaulted, Nullable, OptionalBody, StringEnum } from './helpers.js';

const eventTypeList = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 64,
  description: 'Event types from GET /v3/webhooks/event-types; null or empty: every type.',
});

export const CreateEndpointBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'https, on a public address (the URL-input rules).' }),
    events: Type.Optional(Nullable(eventTypeList)),
    entity_id: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: MAX_ENTITY_ID_LENGTH, description: 'Only events about this asset, batch or job id.' })),
    ),
  },
  { additionalProperties: false },
);
export type CreateEndpointBodyJson = Static<typeof CreateEndpointBody>;

export const UpdateEndpointBody = OptionalBody(Type.Object(
  {
    url: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }))),
    events: Type.Optional(Nullable(eventTypeList)),
    status: Type.Optional(
      Nullable(StringEnum(['enabled'], { description: "assetd's own: re-enables an endpoint disabled for failing." })),
    ),
  },
  { additionalProperties: false },
));

export const EndpointParams = Type.Object({ endpoint_id: Type.String({ minLength: 1, maxLength: 128 }) });

export const Endpoint = Type.Object({
  endpoint_id: Type.String(),
  url: Type.String(),
  status: StringEnum(['enabled', 'disabled']),
  events: Nullable(Type.Array(Type.String(), { description: 'null: every type.' })),
  secret: Nullable(Type.String({ description: 'whsec_…: only in the answer to create; null otherwise.' })),
  created_at: Type.String({ format: 'date-time' }),
  entity_id: Nullable(Type.String({ description: "assetd's own: only events about this entity." })),
  disabled_reason: Nullable(Type.String({ description: "assetd's own: why the endpoint was disabled." })),
  previous_secret_expires_at: Nullable(
    Type.String({ format: 'date-time', description: "assetd's own: until when the secret before the last rotation still signs." }),
  ),
});
export type EndpointJson = Static<typeof Endpoint>;

export const EndpointPage = Type.Object({ data: Type.Array(Endpoint), has_more: Type.Boolean(), next_token: Nullable(Type.String()) });
export type EndpointPageJson = Static<typeof EndpointPage>;

export const DeletedEndpoint = Type.Object({ endpoint_id: Type.String(), deleted: Type.Boolean() });

export const RotatedSecret = Type.Object({
  endpoint_id: Type.String(),
  secret: Type.String(),
  previous_secret_expires_at: Type.String({ format: 'date-time', description: "assetd's own: the old secret signs beside the new one until then." }),
});
export type RotatedSecretJson = Static<typeof RotatedSecret>;

export const EventTypeList = Type.Object({
  data: Type.Array(
    Type.Object({
      event_type: Type.String(),
      description: Type.String(),
      emitted: Type.Boolean({ description: "assetd's own: false for the platform's types assetd never sends." }),
      extension: Type.Boolean({ description: "assetd's own: true for assetd's types, which the platform lacks." }),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type EventTypeListJson = Static<typeof EventTypeList>;

export const EventsQuery = Type.Object({
  event_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_ENTITY_ID_LENGTH })),
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100 }), 20),
  token: Type.Optional(Type.String({ maxLength: 128 })),
});

export const ListEndpointsQuery = Type.Object({
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100 }), 20),
  token: Type.Optional(Type.String({ maxLength: 256 })),
});

export const EventPage = Type.Object({
  data: Type.Array(
    Type.Object({
      event_id: Type.String(),
      event_type: Type.String(),
      event_data: Type.Object({}, { additionalProperties: true }),
      created_at: Type.String({ format: 'date-time' }),
      entity_id: Type.String({ description: "assetd's own: the asset, batch, job or endpoint it is about." }),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type EventPageJson = Static<typeof EventPage>;
