import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { diskFault, storeFault } from './faults.js';

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : 'passed on');

describe('storeFault and diskFault', () => {
  it('calls no room insufficient storage', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) expect(codeOf(diskFault(Object.assign(new Error('x'), { code })))).toBe('insufficient_storage');
    expect(codeOf(storeFault(Object.assign(new Error('x'), { name: 'QuotaExceeded', $metadata: { httpStatusCode: 403 } })))).toBe(
      'insufficient_storage',
    );
  });

  it('calls a store that cannot be reached, or answers 5xx, unavailable', () => {
    expect(codeOf(storeFault(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))).toBe('service_unavailable');
    expect(codeOf(storeFault(Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } })))).toBe(
      'service_unavailable',
    );
    expect(codeOf(diskFault(Object.assign(new Error('x'), { code: 'EROFS' })))).toBe('service_unavailable');
  });

  it("passes on what is not the server's: a client's reset, a refusal, a domain error, anything unknown", () => {
    for (const error of [
      Object.assign(new Error('x'), { code: 'ECONNRESET' }),
      Object.assign(new Error('x'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      new AppError('payload_too_large', 'too big'),
      new Error('plain'),
      null,
    ]) {
      expect(storeFault(error)).toBe(error);
      expect(diskFault(error)).toBe(error);
    }
  });

  it("on disk, passes on a write body's own network errors: they are the sender's", () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT']) {
      const error = Object.assign(new Error('x'), { code });
      expect(diskFault(error)).toBe(error);
    }
    const timeout = new DOMException('timed out', 'TimeoutError');
    expect(diskFault(timeout)).toBe(timeout);
  });
});
