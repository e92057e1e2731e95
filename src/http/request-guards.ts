// Requests refused before any route sees them, in the envelope like every other refusal: a path or query holding a
// NUL character (no id or name has one, and PostgreSQL refuses it in a query), and an Expect header other than
// 100-continue (Node answers that one itself, with no body, unless it is handled).
import type { FastifyInstance } from 'fastify';
import { AppError, errors } from '../domain/errors.js';
import { envelope } from './errors.js';
import { wireOf } from './error-table.js';

export function installRequestGuards(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw errors.invalidParameter('The request path or query holds a NUL character.', 'path');
  });

  app.server.on('checkExpectation', (request, response) => {
    const refusal = new AppError('expectation_failed', 'Only Expect: 100-continue is understood.', { param: 'Expect' });
    const body = request.method === 'HEAD' ? '' : JSON.stringify(envelope(refusal));
    response.writeHead(wireOf(refusal.code).status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
}
