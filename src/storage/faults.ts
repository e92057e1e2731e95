// Storage failures that are the server's, told apart from everything else so the API answers them as such: no room
// (507 insufficient_storage) or a store that cannot be reached (503 service_unavailable). Anything unrecognised,
// the caller's own body failing included, is passed on unchanged.
import { errors, isAppError } from '../domain/errors.js';

const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'QuotaExceeded']);
/** A disk that fails or was remounted read-only: nothing a retry elsewhere would not fix. */
const DISK_DOWN = new Set(['EIO', 'EROFS']);
/** Failing to reach a store: what its client says when it cannot connect or gets no answer in time. */
const STORE_UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'TimeoutError']);
/** An S3 store's own words for "not now". */
const STORE_BUSY = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'RequestTimeout']);

interface Failure {
  code?: unknown;
  name?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const namesOf = (error: unknown): string[] => {
  const e = error as Failure | null;
  return [e?.code, e?.name, e?.Code].filter((n): n is string => typeof n === 'string');
};

/**
 * A local disk's failure in the domain's words: full, failing or read-only. Only file-system codes count: the body
 * of a write is a socket or a download, and its errors (a reset, a timeout) are the sender's, passed on unchanged.
 */
export function diskFault(error: unknown): unknown {
  if (isAppError(error)) return error;
  const names = namesOf(error);
  if (names.some((n) => NO_ROOM.has(n))) return errors.insufficientStorage(error);
  if (names.some((n) => DISK_DOWN.has(n))) return unavailable(error);
  return error;
}

/** An object store's failure (a call of its client: the body is not in it) in the domain's words. */
export function storeFault(error: unknown): unknown {
  if (isAppError(error)) return error;
  const names = namesOf(error);
  if (names.some((n) => NO_ROOM.has(n))) return errors.insufficientStorage(error);
  const status = (error as Failure | null)?.$metadata?.httpStatusCode;
  const down = names.some((n) => STORE_UNREACHABLE.has(n) || STORE_BUSY.has(n)) || (typeof status === 'number' && status >= 500);
  return down ? unavailable(error) : error;
}

const unavailable = (cause: unknown) => errors.serviceUnavailable('The storage cannot be reached; retry later.', cause);
