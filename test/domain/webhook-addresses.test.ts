// Which endpoint URLs are refused, decided without a connection: the webhooks API checks a URL through the
// RemoteFiles port (the safe fetcher's precheck: scheme, credentials, literal addresses by the address policy), and
// a delivery to a literal refused address fails with the policy's reason before any connection is tried. The real
// SafeFetcher with the production defaults (https only, no allowed ranges) and a real SQLite store; no traffic is
// sent anywhere.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DownloadError } from '../../src/domain/ports/index.js';
import { isAppError } from '../../src/domain/errors.js';
import { WebhookEndpointService } from '../../src/domain/webhook-endpoints.js';
import { AddressPolicy, SafeFetcher } from '../../src/inputs/index.js';
import { openSqliteStore } from '../../src/metadata/sqlite/open.js';
import { makeDataDir } from '../support/server.js';

const REFUSED: readonly [string, RegExp][] = [
  ['http://example.com/hook', /only https/],
  ['ftp://example.com/hook', /only https/],
  ['https://user:secret@example.com/hook', /credentials/],
  ['https://10.0.0.1/hook', /private/],
  ['https://192.168.1.20/hook', /private/],
  ['https://127.0.0.1/hook', /loopback/],
  ['https://127.1/hook', /loopback/],
  ['https://0x7f000001/hook', /loopback/],
  ['https://2130706433/hook', /loopback/],
  ['https://[::1]/hook', /loopback/],
  ['https://[::ffff:127.0.0.1]/hook', /IPv4-mapped|loopback/],
  ['https://169.254.169.254/latest/meta-data', /link-local/],
  ['https://100.64.0.1/hook', /carrier-grade NAT/],
  ['https://224.0.0.1/hook', /multicast/],
  ['https://0.0.0.0/hook', /unspecified/],
  ['https://[fd00::1]/hook', /unique-local/],
  ['not a url', /not valid/],
];

async function setUp() {
  const store = await openSqliteStore(path.join(await makeDataDir(), 'assetd.sqlite'));
  const fetcher = new SafeFetcher({ policy: new AddressPolicy([]), allowHttp: false, timeoutMs: 1000, maxBytes: 1024 });
  return { store, fetcher, endpoints: new WebhookEndpointService({ records: store.webhooks, remote: fetcher }) };
}

describe('endpoint URLs under the address rules', () => {
  it('refuses every non-public or non-https URL with invalid_parameter on url, saying why', async () => {
    const { store, fetcher, endpoints } = await setUp();
    for (const [url, why] of REFUSED) {
      const refusal = await endpoints.create('acme', { url }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(isAppError(refusal), url).toBe(true);
      expect(refusal, url).toMatchObject({ code: 'invalid_parameter', param: 'url' });
      expect((refusal as Error).message, url).toMatch(why);
    }
    expect((await store.webhooks.listEndpoints({ tenant: 'acme', limit: 100 })).endpoints).toEqual([]);
    // A public https name is taken (resolution happens at delivery, where every address it resolves to is checked).
    expect((await endpoints.create('acme', { url: 'https://hooks.example.com/assetd' })).url).toBe('https://hooks.example.com/assetd');
    await fetcher.close();
    await store.close();
  });

  it('a delivery to a literal refused address fails with the policy’s reason, before connecting', async () => {
    const { store, fetcher } = await setUp();
    for (const url of ['https://10.255.255.1/hook', 'https://169.254.169.254/latest', 'https://[::1]:9/hook']) {
      const failure = await fetcher.post(url, '{}', { 'content-type': 'application/json' }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure, url).toBeInstanceOf(DownloadError);
      expect((failure as DownloadError).reason, url).toMatch(/private|link-local|loopback/);
    }
    await fetcher.close();
    await store.close();
  });
});
