// Time limits on receiving a request, so a stalled or trickling client cannot hold a connection, and the temp file
// of its upload, for long. Node enforces two itself: the headers (headersTimeout) and, when set, the whole request
// (requestTimeout); both answer 408 through the client error handler. The third is ours: a body that goes
// `bodyIdleMs` without a byte has its connection dropped, which aborts the body stream, so the storage adapters
// remove whatever the upload had written (the same path as a client that hangs up).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { wireOf } from './error-table.js';
import { envelope } from './errors.js';

export interface RequestTimeouts {
  /** Receiving the request line and headers. */
  readonly headersMs: number;
  /** The longest a request body may go without a byte. */
  readonly bodyIdleMs: number;
  /** Receiving the whole request, body included; 0 means no limit. */
  readonly requestMs: number;
}

/** How often Node looks for requests past headersTimeout/requestTimeout (its default, 30 s, would double them). */
const NODE_CHECK_MS = 1000;

/** The Fastify server options that hand the headers and whole-request limits to Node. */
export function serverTimeoutOptions(timeouts: RequestTimeouts): { requestTimeout: number; http: ServerOptions } {
  return {
    // Fastify sets server.requestTimeout from its own option after creating the server.
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: NODE_CHECK_MS,
    },
  };
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** Answers 408 on the socket if no response has started (as Node does for its own timeouts), then drops it. */
function drop(socket: Socket, responseStarted: boolean, idleSeconds: number): void {
  if (!responseStarted && socket.writable) {
    const error = new AppError('request_timeout', `No byte of the request body arrived for ${idleSeconds} s.`);
    const { status } = wireOf(error.code);
    const body = JSON.stringify(envelope(error));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Drops the connection of a request whose body goes `idleMs` without a byte. Progress is the socket's byte count
 * (reading it never changes how the body flows); bytes that arrived but wait for the handler to read them are the
 * server's delay, not the client's, and restart the count.
 */
export function dropIdleBodies(app: FastifyInstance, idleMs: number): void {
  const stepMs = Math.max(50, Math.min(1000, Math.floor(idleMs / 4)));
  app.addHook('onRequest', async (request, reply) => {
    const req = request.raw;
    const socket = req.socket;
    if (req.complete || !hasBody(req.headers)) return;
    let seen = socket.bytesRead;
    let quietSince = Date.now();
    const timer = setInterval(() => {
      if (req.complete || socket.destroyed) return stop();
      if (socket.bytesRead !== seen || req.readableLength > 0) {
        seen = socket.bytesRead;
        quietSince = Date.now();
        return;
      }
      if (Date.now() - quietSince < idleMs) return;
      stop();
      request.log.info({ idleSeconds: idleMs / 1000 }, 'request body idle: connection dropped');
      drop(socket, reply.raw.headersSent, idleMs / 1000);
    }, stepMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    reply.raw.once('close', stop);
  });
}
