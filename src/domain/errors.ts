// The one error type of the API. Every rule that refuses something throws an AppError built by one of the
// factories below; the HTTP layer renders it as {"error":{code,message,param}} with its status.

export type ErrorCode =
  | 'invalid_parameter'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'request_in_progress'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'checksum_mismatch'
  | 'size_mismatch'
  | 'media_type_mismatch'
  | 'upload_expired'
  | 'download_failed'
  | 'rate_limit_exceeded'
  | 'service_unavailable'
  | 'internal_error';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;

  constructor(code: ErrorCode, status: number, message: string, options: { param?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.param = options.param;
  }
}

export const errors = {
  invalidParameter: (message: string, param?: string) => new AppError('invalid_parameter', 400, message, { param }),
  unauthorized: () =>
    new AppError('unauthorized', 401, 'A valid API key is required in the x-api-key or Authorization: Bearer header.'),
  notFound: (what: string, param?: string) => new AppError('not_found', 404, `${what} not found.`, { param }),
  payloadTooLarge: (limitBytes: number, param?: string) =>
    new AppError('payload_too_large', 413, `The file is larger than the limit of ${limitBytes} bytes.`, { param }),
  unsupportedMediaType: (detail: string, param = 'file') =>
    new AppError('unsupported_media_type', 400, detail, { param }),
  forbidden: (message: string, param?: string) => new AppError('forbidden', 403, message, { param }),
  conflict: (message: string, param?: string) => new AppError('conflict', 409, message, { param }),
  uploadExpired: () =>
    new AppError('upload_expired', 410, 'The upload URL expired before the upload was completed; start a new upload.'),
  checksumMismatch: (message: string, param?: string) => new AppError('checksum_mismatch', 400, message, { param }),
  sizeMismatch: (message: string, param?: string) => new AppError('size_mismatch', 400, message, { param }),
  mediaTypeMismatch: (message: string, param?: string) =>
    new AppError('media_type_mismatch', 400, message, { param }),
  serviceUnavailable: (message: string) => new AppError('service_unavailable', 503, message),
  rateLimited: (limitPerMinute: number, retryAfterSeconds: number) =>
    new AppError(
      'rate_limit_exceeded',
      429,
      `This API key made more than ${limitPerMinute} requests in a minute; retry in ${retryAfterSeconds} s.`,
    ),
  internal: () => new AppError('internal_error', 500, 'An internal error occurred.'),
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
