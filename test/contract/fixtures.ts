// What the port contract blocks share: the shape of a backend under test, and named skips.
//
// Each block (asset-records, job-queue, idempotency-keys, object-storage) is a function a backend's test file calls
// with `{ name, create, skip }`. `skip` names the cases that backend cannot do, and why; a skipped case still shows
// up in vitest's output, as skipped, with its reason in the title. A skip that names no case fails the file, so a
// renamed case cannot silently drop out of a skip list (or into one).
import { it } from 'vitest';
import type { MetadataStores } from '../../src/domain/ports/index.js';

/** The port of one backend under test, and how to let go of it (close the connection, drop the database). */
export interface Subject<Port> {
  readonly port: Port;
  close(): Promise<void>;
}

export interface NamedSkip {
  readonly reason: string;
  /** Case titles exactly as the block declares them. */
  readonly tests: readonly string[];
}

export interface ContractOptions<S> {
  /** The backend, as it appears in the block's title: "SQLite", "S3 (Ceph RGW)". */
  readonly name: string;
  readonly create: () => Promise<S>;
  readonly skip?: readonly NamedSkip[];
}

/**
 * Declares a block's cases through `contractCase(title, fn)`, skipping (visibly, with the reason) those named in
 * `skip`. Call it inside the block's `describe`; it throws at collection when a skip names no case, or a title is
 * used twice.
 */
export function declareCases(block: string, skip: readonly NamedSkip[] = [], declare: (contractCase: (title: string, fn: () => Promise<void>) => void) => void): void {
  const reasons = new Map<string, string>();
  for (const { reason, tests } of skip) for (const title of tests) reasons.set(title, reason);
  const declared = new Set<string>();
  declare((title, fn) => {
    if (declared.has(title)) throw new Error(`${block}: two cases are titled "${title}"`);
    declared.add(title);
    const reason = reasons.get(title);
    if (reason === undefined) it(title, fn);
    else it.skip(`${title} [skipped: ${reason}]`, fn);
  });
  const unknown = [...reasons.keys()].filter((title) => !declared.has(title));
  if (unknown.length > 0) throw new Error(`${block}: the skip list names no such case: ${unknown.map((t) => `"${t}"`).join(', ')}`);
}

/** One port of a freshly opened metadata store, whose close closes the store (and whatever the opener added). */
export function portOf<K extends 'assets' | 'jobs' | 'idempotencyKeys'>(
  open: () => Promise<MetadataStores>,
  port: K,
): () => Promise<Subject<MetadataStores[K]>> {
  return async () => {
    const store = await open();
    return { port: store[port], close: () => store.close() };
  };
}
