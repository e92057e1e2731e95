// What a conformance case works with: calls named by the platform's operation, each checked on the way out (the
// request is what a platform client would send) and on the way back (a 2xx body validates against the operation's
// response schema). Every call is recorded, so the suite can tell which operations it covered.
import { expect } from 'vitest';
import { TENANT_A, type TestServer } from '../support/server.js';
import { operation, requestProblems, responseProblems } from './spec.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface CallOptions {
  /** Values for the path's `{parameters}`, by the spec's names. */
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  readonly form?: FormData;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class ConformanceContext {
  /** Operations answered with a 2xx whose body conformed. */
  readonly covered = new Set<string>();

  constructor(
    readonly server: TestServer,
    /** A loopback origin the server may fetch from and call back (test/support/origin.ts). */
    readonly originUrl: string,
  ) {}

  async call(key: string, options: CallOptions = {}): Promise<Answer> {
    const op = operation(key);
    const pathname = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`${key}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]));
    if (options.json !== undefined) expect(requestProblems(key, options.json), `${key}: the case's request`).toEqual([]);
    const res = await this.server.api(`${pathname}${query.size > 0 ? `?${query}` : ''}`, {
      method: op.method,
      key: options.key ?? TENANT_A.key,
      headers: { ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.form ? { body: options.form } : {}),
    });
    const text = await res.text();
    const body: unknown = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    if (res.status >= 200 && res.status < 300) {
      expect(responseProblems(key, body), `${key} answered ${res.status} ${text.slice(0, 400)}`).toEqual([]);
      this.covered.add(key);
    }
    return { status: res.status, headers: res.headers, body };
  }
}

export interface ConformanceCase {
  /** The platform operation this case is about, as `METHOD /path/{param}` in the spec's spelling. */
  readonly operation: string;
  readonly name: string;
  run(ctx: ConformanceContext): Promise<void>;
}
