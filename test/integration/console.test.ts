// The web console in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser). A
// person connects with a key typed at the keyboard, uploads a PNG, a PDF, a WAV and a 40 MiB MP4 (the MP4 by direct
// upload straight to upload_url: assetd's signed PUT on local disk, the bucket's presigned URL on S3) and a text file
// (refused in words), sees the
// previews, copies a URL, deletes one after the confirmation, and the page reads at phone width. A page on another
// origin listed in ASSETD_CORS_ORIGINS calls the API and reads its refusals. The screenshot is kept in
// test-results/console.png (ASSETD_UPDATE_SCREENSHOT=1 also writes the README's docs/console.png).
// Without Chromium this suite is skipped by name, except where ASSETD_TEST_REQUIRE_SERVICES=1 (CI): there it fails.
import { createServer, type Server } from 'node:http';
import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testS3Client, usesS3 } from '../support/backends.js';
import * as media from '../support/media.js';
import { startTestServer, TENANT_A, type TestServer } from '../support/server.js';

const CHROMIUM = process.env.ASSETD_TEST_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.ASSETD_TEST_REQUIRE_SERVICES === '1';
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-results');
const README_SHOT = path.resolve(import.meta.dirname, '../../docs/console.png');
const MIB = 1024 * 1024;

const suite = existsSync(CHROMIUM) || REQUIRED ? describe : describe.skip;
const name = existsSync(CHROMIUM) || REQUIRED ? 'the web console in Chromium' : `the web console in Chromium (skipped: no ${CHROMIUM}; apt-get install chromium)`;

interface ListedAsset {
  asset_id: string;
  name: string;
  url: string | null;
  size_bytes: number;
  mime_type: string;
}

let t: TestServer;
let otherOrigin: Server;
let otherUrl: string;
let context: BrowserContext;
let page: Page;
let dir: string;
const requests: Request[] = [];

/** A page on another origin, for calling the API across origins. */
function startOtherOrigin(): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A picture worth looking at in the screenshot. */
function picture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="420">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2b6cb0"/><stop offset="1" stop-color="#f6ad55"/></linearGradient></defs>
    <rect width="640" height="420" fill="url(#sky)"/><circle cx="470" cy="150" r="60" fill="#fefcbf"/>
    <path d="M0 420 L170 220 L300 340 L420 250 L640 420 Z" fill="#22543d"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function listed(): Promise<ListedAsset[]> {
  const res = await t.api('/v3/assets?limit=100');
  return ((await res.json()) as { data: ListedAsset[] }).data;
}

suite(name, () => {
  beforeAll(async () => {
    otherOrigin = await startOtherOrigin();
    otherUrl = `http://127.0.0.1:${(otherOrigin.address() as { port: number }).port}`;
    t = await startTestServer({ env: { ASSETD_CORS_ORIGINS: otherUrl } });
    if (usesS3) {
      // The browser PUTs straight to the bucket's presigned URL: the bucket must allow the console's origin.
      const s3 = testS3Client();
      try {
        await s3.send(
          new PutBucketCorsCommand({
            Bucket: t.backend.ASSETD_S3_BUCKET,
            CORSConfiguration: {
              CORSRules: [{ AllowedOrigins: [t.url], AllowedMethods: ['PUT'], AllowedHeaders: ['content-type', 'x-amz-checksum-sha256'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }],
            },
          }),
        );
      } finally {
        s3.destroy();
      }
    }
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assetd-console-'));
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1180, height: 820 },
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requests.push(request));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await t?.close();
    await new Promise((resolve) => otherOrigin?.close(resolve));
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('connects with a key typed at the keyboard, kept in session storage only', async () => {
    await page.goto(`${t.url}/`);
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('api-key');
    await page.keyboard.type('not-the-key-0000000000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#key-error').textContent()).toContain('401');
    await page.keyboard.type(TENANT_A.key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Assets' }).waitFor();
    await expect.poll(() => page.locator('#list-status').textContent()).toContain('No assets yet');
    expect(page.url()).toBe(`${t.url}/`);
    expect(await page.evaluate('({ session: sessionStorage.getItem("assetd.apiKey"), local: localStorage.length })')).toEqual({
      session: TENANT_A.key,
      local: 0,
    });
  });

  it('uploads a PNG, a PDF, a WAV and a 40 MiB MP4 (by direct upload straight to upload_url), and shows their previews', async () => {
    const files = {
      'mountain lake.png': await picture(),
      'report.pdf': media.pdf(),
      'voice memo.wav': media.wav({ samples: 8000 * 3 }),
      'notes.txt': media.text(),
    };
    for (const [file, bytes] of Object.entries(files)) await fs.writeFile(path.join(dir, file), bytes);
    const mp4 = path.join(dir, 'keynote.mp4');
    await pipeline(media.sizedStream(media.mp4({ video: { width: 1920, height: 1080 }, durationSeconds: 95 }), 40 * MIB), createWriteStream(mp4));

    await page.locator('#files').setInputFiles([...Object.keys(files).map((f) => path.join(dir, f)), mp4]);
    const rows = page.locator('#uploads li');
    await expect.poll(() => rows.count()).toBe(5);
    await expect.poll(() => page.locator('#uploads li.ok').count(), { timeout: 60_000 }).toBe(4);
    expect(await rows.filter({ hasText: 'keynote.mp4' }).locator('.state').textContent()).toContain('direct upload');
    // A type assetd does not take is refused in words, before anything is sent.
    expect(await page.locator('#uploads li.failed').textContent()).toContain(
      'notes.txt' + 'Refused: not a type assetd takes (it takes PNG, JPEG, MP4, WebM, MP3, WAV, PDF, ZIP or SRT).',
    );

    const assets = await listed();
    expect(assets.map((a) => a.name).sort()).toEqual(['keynote.mp4', 'mountain lake.png', 'report.pdf', 'voice memo.wav']);
    const video = assets.find((a) => a.name === 'keynote.mp4')!;
    expect(video).toMatchObject({ size_bytes: 40 * MIB, mime_type: 'video/mp4' });
    // The 40 MiB went in one PUT to the presigned URL, not through POST /v3/assets.
    const puts = requests.filter((r) => r.method() === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.url().startsWith(usesS3 ? t.backend.ASSETD_S3_ENDPOINT! : `${t.url}/uploads/${video.asset_id}?`)).toBe(true);
    expect(requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v3/assets')).toHaveLength(3);
    // The key travelled in a header only.
    for (const request of requests) expect(request.url()).not.toContain(TENANT_A.key);

    const cards = page.locator('#asset-list > li');
    await expect.poll(() => cards.count()).toBe(4);
    const thumbnail = cards.filter({ hasText: 'mountain lake.png' }).locator('img');
    await expect.poll(() => thumbnail.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 15_000 }).toBe(320);
    expect(await thumbnail.getAttribute('alt')).toBe('Preview of mountain lake.png');
    const player = cards.filter({ hasText: 'keynote.mp4' }).locator('video');
    expect(await player.getAttribute('src')).toBe(video.url);
    expect(await cards.filter({ hasText: 'keynote.mp4' }).locator('.facts').textContent()).toContain('1920 × 1080 px · 1:35');
    expect(await cards.filter({ hasText: 'voice memo.wav' }).locator('audio').count()).toBe(1);
    expect(await cards.filter({ hasText: 'report.pdf' }).locator('.placeholder').textContent()).toBe('PDF');
    // Newest first.
    expect(await cards.first().locator('.name').textContent()).not.toBe('');
  });

  it('copies a URL to the clipboard, and keeps a screenshot', async () => {
    const png = (await listed()).find((a) => a.name === 'mountain lake.png')!;
    await page.getByRole('button', { name: 'Copy the URL of mountain lake.png' }).click();
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(png.url);
    await expect.poll(() => page.locator('#toast').textContent()).toBe('Copied the URL of mountain lake.png.');
    await expect.poll(() => page.evaluate<string>('getComputedStyle(document.getElementById("toast")).opacity')).toBe('1');

    await fs.mkdir(OUTPUT_DIR, { recursive: true });
    const shot = await page.screenshot({ path: path.join(OUTPUT_DIR, 'console.png'), fullPage: true });
    if (process.env.ASSETD_UPDATE_SCREENSHOT === '1') {
      await fs.mkdir(path.dirname(README_SHOT), { recursive: true });
      await sharp(shot).png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 }).toFile(README_SHOT);
    }
  });

  it('deletes an asset only after the confirmation; Escape or Cancel keeps it', async () => {
    const doomed = (await listed()).find((a) => a.name === 'report.pdf')!;
    const deleteButton = page.getByRole('button', { name: 'Delete report.pdf' });
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete this asset?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(doomed.asset_id);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.api(`/v3/assets/${doomed.asset_id}`)).status).toBe(200);

    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('#asset-list > li').count()).toBe(3);
    expect((await t.api(`/v3/assets/${doomed.asset_id}`)).status).toBe(404);
    await expect.poll(() => page.locator('#toast').textContent()).toBe('Deleted report.pdf.');
  });

  it('reads at phone width (and so at 400 % zoom of a 1280-pixel window): nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    const widths = await page.evaluate<{ page: number; screen: number }>('({ page: document.documentElement.scrollWidth, screen: window.innerWidth })');
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    await page.setViewportSize({ width: 1180, height: 820 });
  });

  it('sends a file above 64 MiB as a multipart upload: its parts straight to their URLs, then complete', async () => {
    const big = path.join(dir, 'long take.mp4');
    await pipeline(media.sizedStream(media.mp4({ video: { width: 640, height: 360 }, durationSeconds: 30 }), 70 * MIB), createWriteStream(big));
    const before = requests.length;
    await page.locator('#files').setInputFiles([big]);
    const row = page.locator('#uploads li', { hasText: 'long take.mp4' });
    await expect.poll(() => row.getAttribute('class'), { timeout: 90_000 }).toContain('ok');
    expect(await row.locator('.state').textContent()).toContain('(multipart upload)');
    const asset = (await listed()).find((a) => a.name === 'long take.mp4')!;
    expect(asset).toMatchObject({ size_bytes: 70 * MIB, mime_type: 'video/mp4' });
    // 64 MiB parts: two PUTs, to part URLs of the store (S3) or of assetd's part endpoint, never a single PUT.
    const puts = requests.slice(before).filter((r) => r.method() === 'PUT');
    expect(puts).toHaveLength(2);
    const partUrl = usesS3 ? t.backend.ASSETD_S3_ENDPOINT! : `${t.url}/uploads/${asset.asset_id}/parts/`;
    for (const put of puts) expect(put.url().startsWith(partUrl)).toBe(true);
    await t.api(`/v3/assets/${asset.asset_id}`, { method: 'DELETE' });
  });

  it('lets a page on a listed origin call the API across origins and read its refusals', async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${otherUrl}/`);
      const answers = await other.evaluate(
        async ({ api, key }) => {
          const listedOk = await fetch(`${api}/v3/assets?limit=1`, { headers: { 'x-api-key': key } });
          const refused = await fetch(`${api}/v3/assets`, { headers: { 'x-api-key': 'wrong-key-00000000000' } });
          return { ok: listedOk.status, refused: refused.status, code: ((await refused.json()) as { error: { code: string } }).error.code };
        },
        { api: t.url, key: TENANT_A.key },
      );
      expect(answers).toEqual({ ok: 200, refused: 401, code: 'unauthorized' });
    } finally {
      await other.close();
    }
  });
});
