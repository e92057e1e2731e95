// Who a caller is: an API key maps to a tenant. Keys are compared as SHA-256 digests with timingSafeEqual, and
// every configured key is compared on every call, so timing says nothing about which key was close.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface KeyEntry {
  readonly key: string;
  readonly tenant: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApiKeyring {
  private readonly entries: ReadonlyArray<{ digest: Buffer; tenant: string }>;

  constructor(keys: readonly KeyEntry[]) {
    this.entries = keys.map(({ key, tenant }) => ({ digest: digest(key), tenant }));
  }

  /** The tenant of `presented`, or null. */
  authenticate(presented: string | undefined): string | null {
    if (!presented) return null;
    const candidate = digest(presented);
    let tenant: string | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate)) tenant = entry.tenant;
    }
    return tenant;
  }
}
