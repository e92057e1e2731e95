// The outbound adapter: the domain's RemoteFiles port as a fetcher that reaches public addresses only (the
// address policy), checked again on every redirect and at connect time, bounded in time and size.
export { AddressPolicy } from './address-policy.js';
export { SafeFetcher } from './safe-fetch.js';
