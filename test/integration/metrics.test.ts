// GET /metrics through the real server: Prometheus text with requests by route pattern and status, latency, bytes,
// uploads by flow and outcome, uploads in flight, the reaper's and callbacks' counters and Node's own metrics;
// never a file token, an upload signature or an asset id in a label. ASSETD_METRICS_TOKEN guards it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { putBytes } from '../support/put.js';
import { usesS3 } from '../support/backends.js';
import { startTestServer, TENANT_A, type TestServer } from '../support/server.js';

const TOKEN = 'metrics-token-for-tests-0001';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

/** The value of one series, by its exact label set as Prometheus prints it. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(server: TestServer = t, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${server.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('GET /metrics', () => {
  it('counts requests, uploads and bytes by route pattern, and never shows a secret of a url', async () => {
    const png = media.png();
    const uploaded = await uploadFile(t.url, TENANT_A.key, png, 'a.png', 'image/png');
    expect(uploaded.status).toBe(200);
    const refused = await uploadFile(t.url, TENANT_A.key, media.text(), 'a.txt', 'text/plain');
    expect(refused.status).toBe(400);
    const file = await fetch(uploaded.json.data.url);
    expect(file.status).toBe(200);
    await file.arrayBuffer();

    const init = (await (
      await t.api('/v3/assets/direct-uploads', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'b.png', content_type: 'image/png', size_bytes: png.length }),
      })
    ).json()) as { data: { asset_id: string; upload_url: string; upload_headers: Record<string, string> } };
    expect((await putBytes(init.data.upload_url, init.data.upload_headers, png)).status).toBe(200);
    expect((await t.api(`/v3/assets/${init.data.asset_id}/complete`, { method: 'POST' })).status).toBe(200);
    await t.server.reaper.runOnce();

    const text = await scrape();
    expect(valueOf(text, 'assetd_http_requests_total{method="POST",route="/v3/assets",status="200"}')).toBe(1);
    expect(valueOf(text, 'assetd_http_requests_total{method="POST",route="/v3/assets",status="400"}')).toBe(1);
    expect(valueOf(text, 'assetd_http_requests_total{method="GET",route="/files/:name",status="200"}')).toBe(1);
    expect(valueOf(text, 'assetd_http_requests_total{method="POST",route="/v3/assets/:asset_id/complete",status="200"}')).toBe(1);
    expect(valueOf(text, 'assetd_http_request_duration_seconds_count{method="POST",route="/v3/assets",status="200"}')).toBe(1);
    expect(valueOf(text, 'assetd_uploads_total{flow="single",outcome="completed"}')).toBe(1);
    expect(valueOf(text, 'assetd_uploads_total{flow="single",outcome="refused"}')).toBe(1);
    expect(valueOf(text, 'assetd_uploads_total{flow="single",outcome="failed"}')).toBe(0);
    // On S3 the signed PUT goes to the store: assetd never sees those bytes.
    expect(valueOf(text, 'assetd_uploads_total{flow="direct",outcome="completed"}')).toBe(usesS3 ? 0 : 1);
    expect(valueOf(text, 'assetd_uploads_in_flight{flow="single"}')).toBe(0);
    expect(valueOf(text, 'assetd_http_received_bytes_total{route="/v3/assets"}')).toBeGreaterThan(2 * png.length);
    expect(valueOf(text, 'assetd_http_sent_bytes_total{route="/files/:name"}')).toBeGreaterThan(png.length);
    // The pass at start, and this one (unless it joined that one).
    expect(valueOf(text, 'assetd_reaper_passes_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'assetd_reaper_removed_total{kind="expired_uploads"}')).toBe(0);
    expect(valueOf(text, 'assetd_reaper_removed_total{kind="idempotency_keys"}')).toBe(0);
    for (const outcome of ['delivered', 'retried', 'given_up']) {
      expect(valueOf(text, `assetd_callbacks_total{outcome="${outcome}"}`)).toBe(0);
      for (const target of ['endpoint', 'callback']) {
        expect(valueOf(text, `assetd_webhook_deliveries_total{target="${target}",outcome="${outcome}"}`)).toBe(0);
      }
    }
    expect(valueOf(text, 'assetd_webhook_endpoints_disabled_total')).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    // The url's token, the upload url's signature and the asset ids are nowhere.
    const token = new URL(uploaded.json.data.url).pathname.split('/').pop()!.split('.')[0]!;
    const signature = new URL(init.data.upload_url).searchParams.get('signature');
    expect(text).not.toContain(token);
    if (signature) expect(text).not.toContain(signature);
    expect(text).not.toContain(init.data.asset_id);
    expect(text).not.toContain(uploaded.json.data.asset_id);
    expect(text).not.toMatch(/route="[^"]*(asset_[0-9a-f]|\?)/);
  });

  it('counts an unknown route under one label, and needs no API key', async () => {
    await fetch(`${t.url}/no/such/route/asset_0123`);
    const text = await scrape();
    expect(valueOf(text, 'assetd_http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('asset_0123');
  });

  it('requires Authorization: Bearer <ASSETD_METRICS_TOKEN> when one is set', async () => {
    const guarded = await startTestServer({ env: { ASSETD_METRICS_TOKEN: TOKEN } });
    try {
      const wrong: Array<Record<string, string>> = [
        {},
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: 'Bearer short' },
        { authorization: TOKEN },
        { 'x-api-key': TENANT_A.key },
      ];
      for (const headers of wrong) {
        const res = await fetch(`${guarded.url}/metrics`, { headers });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
      }
      expect(await scrape(guarded, { authorization: `Bearer ${TOKEN}` })).toContain('assetd_http_requests_total');
      // Health needs no token.
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
