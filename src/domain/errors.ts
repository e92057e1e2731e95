// The one error type of the domain. Every rule that refuses something throws an AppError built by one of the
// factories below, saying what went wrong; the HTTP layer alone decides what status and wire code that is
// (src/http/error-table.ts) and renders {"error":{code,message,param}}.

export type ErrorCode =
  | 'invalid_parameter'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  /** A file input names an asset the caller does not have: the request is wrong, not the route. */
  | 'reference_not_found'
  | 'conflict'
  | 'request_in_progress'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'checksum_mismatch'
  | 'size_mismatch'
  | 'media_type_mismatch'
  | 'upload_expired'
  /** A multipart upload: a part number outside 1..part_count. */
  | 'part_number_out_of_range'
  /** A multipart upload: a part whose length is not the one its URL was signed for. */
  | 'part_size_mismatch'
  /** A multipart upload: completing while some parts have not arrived (the upload stays pending). */
  | 'parts_missing'
  /** A part sent to an upload that is already completed. */
  | 'upload_completed'
  /** A presigned URL used after its expiry (a fresh one can be asked for while the upload is pending). */
  | 'url_expired'
  | 'download_failed'
  | 'range_not_satisfiable'
  /** The request (its headers, or its body going idle) did not arrive in time. */
  | 'request_timeout'
  | 'headers_too_large'
  /** An Expect header the server does not meet (anything but 100-continue). */
  | 'expectation_failed'
  | 'rate_limit_exceeded'
  /** A dependency (the database, the object store) cannot be reached or is shutting down: retry later. */
  | 'service_unavailable'
  /** No room left to store bytes or records: a server fault, not the request's. */
  | 'insufficient_storage'
  | 'internal_error';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;

  constructor(code: ErrorCode, message: string, options: { param?: string | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.param = options.param;
  }
}

export const errors = {
  invalidParameter: (message: string, param?: string) => new AppError('invalid_parameter', message, { param }),
  unauthorized: () =>
    new AppError('unauthorized', 'A valid API key is required in the x-api-key or Authorization: Bearer header.'),
  notFound: (what: string, param?: string) => new AppError('not_found', `${what} not found.`, { param }),
  referenceNotFound: (message: string, param: string) => new AppError('reference_not_found', message, { param }),
  payloadTooLarge: (limitBytes: number, param?: string) =>
    new AppError('payload_too_large', `The file is larger than the limit of ${limitBytes} bytes.`, { param }),
  unsupportedMediaType: (detail: string, param = 'file') => new AppError('unsupported_media_type', detail, { param }),
  forbidden: (message: string, param?: string) => new AppError('forbidden', message, { param }),
  conflict: (message: string, param?: string) => new AppError('conflict', message, { param }),
  requestInProgress: (message: string) => new AppError('request_in_progress', message),
  uploadExpired: () =>
    new AppError('upload_expired', 'The upload URL expired before the upload was completed; start a new upload.'),
  partNumberOutOfRange: (partNumber: number, partCount: number, param = 'part_number') =>
    new AppError('part_number_out_of_range', `Part number ${partNumber} is out of range: this upload has parts 1 to ${partCount}.`, { param }),
  partSizeMismatch: (message: string, param?: string) => new AppError('part_size_mismatch', message, { param }),
  partsMissing: (missing: readonly number[]) => {
    const shown = missing.slice(0, 50).join(', ');
    const more = missing.length > 50 ? ` and ${missing.length - 50} more` : '';
    return new AppError('parts_missing', `Parts not received yet: ${shown}${more}. Send them, then complete again.`, { param: 'parts' });
  },
  uploadCompleted: () => new AppError('upload_completed', 'This upload is already completed; its parts cannot change.'),
  urlExpired: (message = 'The upload URL has expired; ask for a fresh one.') => new AppError('url_expired', message),
  checksumMismatch: (message: string, param?: string) => new AppError('checksum_mismatch', message, { param }),
  sizeMismatch: (message: string, param?: string) => new AppError('size_mismatch', message, { param }),
  mediaTypeMismatch: (message: string, param?: string) => new AppError('media_type_mismatch', message, { param }),
  downloadFailed: (reason: string, param: string) =>
    new AppError('download_failed', `The file could not be downloaded: ${reason}.`, { param }),
  rangeNotSatisfiable: () => new AppError('range_not_satisfiable', 'The requested range is not satisfiable.', { param: 'Range' }),
  serviceUnavailable: (message: string, cause?: unknown) => new AppError('service_unavailable', message, { cause }),
  insufficientStorage: (cause?: unknown) =>
    new AppError('insufficient_storage', 'The server has no room left to store this; retry later.', { cause }),
  rateLimited: (limitPerMinute: number, retryAfterSeconds: number) =>
    new AppError(
      'rate_limit_exceeded',
      `This API key made more than ${limitPerMinute} requests in a minute; retry in ${retryAfterSeconds} s.`,
    ),
  internal: () => new AppError('internal_error', 'An internal error occurred.'),
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
