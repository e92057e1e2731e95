// The file-input layer: turning {asset_id | url | base64} into a completed asset of the caller, and fetching URLs
// safely (address policy, DNS-rebinding-safe connections, redirects, limits).
export { AddressPolicy } from './address-policy.js';
export { FileInputResolver } from './resolver.js';
export { SafeFetcher } from './safe-fetch.js';
