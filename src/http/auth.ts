// API-key authentication for the /v3 routes: x-api-key or Authorization: Bearer. It runs on onRequest, before any
// body is read, so an unauthenticated upload costs us nothing.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyring } from '../domain/api-keys.js';
import { errors } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the authenticated API key; set on every /v3 route. */
    tenant: string;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}

/** Every route of `app`'s scope needs a key of `keyring`; `tenant` says whose it is. */
export function requireApiKey(app: FastifyInstance, keyring: ApiKeyring): void {
  app.addHook('onRequest', async (request) => {
    const tenant = keyring.authenticate(presentedKey(request));
    if (tenant === null) throw errors.unauthorized();
    request.tenant = tenant;
  });
}
