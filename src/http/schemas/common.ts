// The envelopes every route shares: `{data: …}` around a result, `{error: …}` around a refusal.
import { Type, type Static, type TSchema } from 'typebox';
import { RefOf } from './helpers.js';

export const ErrorDetail = Type.Object({
  code: Type.String(),
  message: Type.String(),
  param: Type.Optional(Type.String()),
});

export type ErrorDetailJson = Static<typeof ErrorDetail>;

export const ErrorEnvelope = Type.Object({ error: ErrorDetail }, { $id: 'Error' });
export type ErrorEnvelopeJson = Static<typeof ErrorEnvelope>;

/** `{data: <schema>}` */
export function Data<T extends TSchema>(schema: T) {
  return Type.Object({ data: schema });
}

export const errorResponse = RefOf(ErrorEnvelope);

/** The refusals every /v3 route can give. */
export const errorResponses = { 400: errorResponse, 401: errorResponse, 404: errorResponse };
