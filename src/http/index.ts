// The HTTP layer: Fastify routes that translate requests into domain calls and domain results into the API's
// JSON, plus authentication, idempotency, the error envelope and the OpenAPI document. No rules live here.
export { buildApp, logSerializers } from './app.js';
export { jobJson } from './job-presenters.js';
