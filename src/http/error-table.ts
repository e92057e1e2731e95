// What each domain error is on the wire: its HTTP status and the contract's error code. The one place a status is
// bound to an error; the error handler and the OpenAPI document both read it.
import type { ErrorCode } from '../domain/errors.js';

export interface WireError {
  readonly status: number;
  /** The contract's code, when it is not the domain's own name. */
  readonly code?: string;
  /** Sent as Retry-After: how long a client should wait before trying again. */
  readonly retryAfterSeconds?: number;
}

export const ERROR_TABLE: Readonly<Record<ErrorCode, WireError>> = {
  invalid_parameter: { status: 400 },
  unsupported_media_type: { status: 400 },
  checksum_mismatch: { status: 400 },
  size_mismatch: { status: 400 },
  media_type_mismatch: { status: 400 },
  part_number_out_of_range: { status: 400 },
  part_size_mismatch: { status: 400 },
  parts_missing: { status: 400 },
  download_failed: { status: 400 },
  reference_not_found: { status: 400, code: 'not_found' },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  conflict: { status: 409 },
  request_in_progress: { status: 409 },
  upload_completed: { status: 409 },
  url_expired: { status: 403 },
  upload_expired: { status: 410 },
  payload_too_large: { status: 413 },
  request_timeout: { status: 408 },
  range_not_satisfiable: { status: 416, code: 'invalid_parameter' },
  expectation_failed: { status: 417, code: 'invalid_parameter' },
  headers_too_large: { status: 431, code: 'invalid_parameter' },
  rate_limit_exceeded: { status: 429 },
  internal_error: { status: 500 },
  service_unavailable: { status: 503, retryAfterSeconds: 5 },
  insufficient_storage: { status: 507, retryAfterSeconds: 60 },
};

export function wireOf(code: ErrorCode): { status: number; code: string; retryAfterSeconds: number | undefined } {
  const entry = ERROR_TABLE[code];
  return { status: entry.status, code: entry.code ?? code, retryAfterSeconds: entry.retryAfterSeconds };
}
