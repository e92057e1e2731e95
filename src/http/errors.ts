// The one place errors become HTTP: AppErrors render as the API envelope; Fastify's and the multipart parser's own
// errors are translated to the contract's codes; anything else is logged with its stack and answered with a bare
// internal_error that leaks nothing.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errors, isAppError } from '../domain/errors.js';
import { wireOf } from './error-table.js';
import type { ErrorEnvelopeJson } from './schemas/common.js';

/** The presenter of the Error shape. */
export function envelope(error: AppError): ErrorEnvelopeJson {
  return {
    error: { code: wireOf(error.code).code, message: error.message, ...(error.param !== undefined ? { param: error.param } : {}) },
  };
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/files/2/url` → `files[2].url`, the JSON-path spelling the contract uses for `param`. */
export function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function fromValidation(issues: AjvIssue[]): AppError {
  const issue = issues[0] ?? {};
  const base = jsonPath(issue.instancePath ?? '');
  const missing = issue.params?.missingProperty;
  const extra = issue.params?.additionalProperty;
  const field = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : undefined;
  const param = field ? (base ? `${base}.${field}` : field) : base || undefined;
  const message =
    typeof missing === 'string'
      ? `${param} is required.`
      : typeof extra === 'string'
        ? `${param} is not a known field.`
        : `${param ?? 'The request'} ${issue.message ?? 'is invalid'}.`;
  return errors.invalidParameter(message, param);
}

// Fastify and @fastify/multipart errors that are the client's doing.
function fromFastify(error: FastifyError): AppError | null {
  if (error.validation) return fromValidation(error.validation as AjvIssue[]);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errors.invalidParameter('This Content-Type is not accepted here.', 'Content-Type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidParameter('The request body is not valid JSON.', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.invalidParameter('Content-Length does not match the body.', 'Content-Length');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('payload_too_large', 'The file is too large.', { param: 'file' });
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('payload_too_large', 'The multipart body has too many parts.');
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return errors.invalidParameter('The multipart body is malformed.', 'body');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return errors.invalidParameter(error.message, undefined);
  }
  return null;
}

export function toAppError(error: unknown): AppError | null {
  if (isAppError(error)) return error;
  if (error && typeof error === 'object' && 'code' in error) return fromFastify(error as FastifyError);
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    let appError = toAppError(error);
    if (!appError) {
      request.log.error({ err: error }, 'unhandled error');
      appError = errors.internal();
    }
    const { status, retryAfterSeconds } = wireOf(appError.code);
    // Shedding load (the upload cap, a shutdown) is expected, not a fault; a dependency that failed (a cause) is one.
    if (appError.code === 'service_unavailable' && appError.cause === undefined) request.log.warn(appError.message);
    else if (status >= 500) request.log.error({ err: error }, appError.message);
    if (retryAfterSeconds !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfterSeconds));
    // A body we stopped reading (too large, refused early) would otherwise be drained to the end.
    if (!request.raw.complete) reply.header('connection', 'close');
    void reply.status(status).send(envelope(appError));
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(envelope(errors.notFound(`Route ${request.method} ${request.url.split('?')[0]}`)));
  });
}

/**
 * Router errors (a path that does not decode, such as `/v3/assets/%zz`) reach Fastify's frameworkErrors hook instead
 * of the error handler: they get the envelope too.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const appError = errors.invalidParameter(`The request path is not valid: ${error.message}`, 'path');
  void reply.status(wireOf(appError.code).status).send(envelope(appError));
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large, malformed, too slow) are answered
 * on the socket: in the envelope, and without a body to a HEAD.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new AppError('request_timeout', 'The request was not received in time.')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('headers_too_large', 'The request headers are too large.', { param: 'headers' })
        : errors.invalidParameter('The request is not valid HTTP.');
  const { status } = wireOf(appError.code);
  // Node hands over the bytes it could not parse (a Buffer, whatever the type declarations say).
  const raw: unknown = error.rawPacket;
  const isHead = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = isHead ? '' : JSON.stringify(envelope(appError));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
