// The assetd command as a person and a script use it: help, version, clear errors and exit codes (0 done, 1 failed,
// 2 usage); upload of directories and standard input with a summary; ls, get, rm and download (SHA-256 checked),
// each with a table or JSON.
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetdClient } from '../../src/client/index.js';
import { spawnAssetd } from '../support/cli.js';
import * as media from '../support/media.js';
import { makeDataDir, startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

let t: TestServer;
let dir: string;
let client: AssetdClient;
let env: Record<string, string>;
beforeAll(async () => {
  t = await startTestServer();
  dir = await makeDataDir();
  client = new AssetdClient({ baseUrl: t.url, apiKey: TENANT_A.key });
  env = { ASSETD_CLIENT_URL: t.url, ASSETD_CLIENT_API_KEY: TENANT_A.key };
});
afterAll(async () => {
  await t.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function assetd(args: string[], options: { env?: Record<string, string>; stdin?: Buffer; cwd?: string } = {}) {
  const run = spawnAssetd(args, options.env ?? env, { ...(options.stdin ? { stdin: options.stdin } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });
  const [code] = await once(run.child, 'close');
  return { code: code as number, ...run.output(), bytes: run.stdoutBytes() };
}

async function file(name: string, bytes: Buffer): Promise<string> {
  const where = path.join(dir, name);
  await fs.mkdir(path.dirname(where), { recursive: true });
  await fs.writeFile(where, bytes);
  return where;
}

describe('assetd: help, version and usage errors', { timeout: 90_000 }, () => {
  it('prints the help with every verb when run alone, and exits 0', async () => {
    const run = await assetd([]);
    expect(run.code).toBe(0);
    for (const verb of ['serve', 'migrate', 'upload', 'ls', 'get', 'rm', 'download', 'version']) expect(run.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    expect(run.stdout).toContain('Exit codes: 0 done, 1 something failed, 2 a usage problem');
  });

  it('has --help on every verb, `help <verb>`, --version and `version --json`', { timeout: 90_000 }, async () => {
    const verbs = ['serve', 'migrate', 'upload', 'ls', 'get', 'rm', 'download', 'version'];
    const runs = await Promise.all(verbs.map((verb) => assetd([verb, '--help'])));
    runs.forEach((run, i) => {
      expect(run.code, verbs[i]).toBe(0);
      expect(run.stdout).toContain(`Usage: assetd ${verbs[i]}`);
    });
    expect((await assetd(['help', 'upload'])).stdout).toContain('--recursive');
    const { version } = JSON.parse(await fs.readFile('package.json', 'utf8')) as { version: string };
    expect((await assetd(['--version'])).stdout.trim()).toBe(version);
    expect(JSON.parse((await assetd(['version', '--json'])).stdout)).toEqual({ version, node: process.version });
  });

  it('exits 2 with a clear error for an unknown verb or flag, a missing argument, a bad value, or no key', async () => {
    const unknown = await assetd(['uplod', 'x.png']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'uplod'");
    expect(unknown.stderr).toContain('Did you mean upload?');
    const flag = await assetd(['ls', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--colour'");
    const missing = await assetd(['upload']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'paths'");
    expect((await assetd(['ls', '--limit', '0'])).code).toBe(2);
    expect((await assetd(['upload', 'a.png', '--concurrency', 'many'])).code).toBe(2);
    const noKey = await assetd(['ls'], { env: { ASSETD_CLIENT_URL: t.url, ASSETD_DATA_DIR: dir } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no API key');
  });
});

describe('assetd upload', { timeout: 90_000 }, () => {
  it('takes a directory only with --recursive, and then every file under it, with a table and a summary', async () => {
    await file('album/one.png', media.png());
    await file('album/deeper/two.jpg', media.jpeg());
    await file('album/deeper/three.mp3', media.mp3({ frames: 10 }));
    const album = path.join(dir, 'album');
    const flat = await assetd(['upload', album]);
    expect(flat.code).toBe(1);
    expect(flat.stderr).toContain(`${album}: is a directory (add --recursive`);

    const run = await assetd(['upload', '--recursive', album]);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^FILE\s+ASSET ID\s+TYPE\s+SIZE\s+FLOW\s+URL$/);
    expect(rows.slice(0, 3).map((row) => row.split(/\s+/)[0])).toEqual(
      ['deeper/three.mp3', 'deeper/two.jpg', 'one.png'].map((f) => path.join(album, f)),
    );
    expect(rows[3]).toMatch(/^3 uploaded \(\d+(\.\d)? (B|KiB)\)$/);
    // Not a terminal: a plain line per file on stderr instead of bars.
    expect(run.stderr.match(/^uploaded .*: asset_[0-9a-f]{32} \(/gm)).toHaveLength(3);
  });

  it('reads standard input for -, named by --filename', async () => {
    const bytes = media.png({ width: 5, height: 3 });
    const run = await assetd(['upload', '-', '--filename', 'from a pipe.png', '--json', '--quiet'], { stdin: bytes });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const uploaded = JSON.parse(run.stdout) as { file: string; asset_id: string };
    expect(uploaded.file).toBe('-');
    expect(await client.get(uploaded.asset_id)).toMatchObject({ filename: 'from a pipe.png', size_bytes: bytes.length, width: 5 });
    expect((await assetd(['upload', '-', '-'], { stdin: bytes })).code).toBe(2);
    expect((await assetd(['upload', 'x.png', '--filename', 'y.png'])).code).toBe(2);
  });
});

describe('assetd ls, get, rm, download', { timeout: 90_000 }, () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = [];
    for (const name of ['first.png', 'second.wav', 'third.pdf']) {
      const bytes = name.endsWith('png') ? media.png({ width: 3, height: 2 }) : name.endsWith('wav') ? media.wav() : media.pdf();
      ids.push((await client.upload(await file(name, bytes))).asset_id);
    }
  });

  it('ls prints a table newest first, pages with --limit/--token/--all, and the API page with --json', async () => {
    const table = await assetd(['ls', '--limit', '100']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ASSET ID\s+NAME\s+TYPE\s+SIZE\s+PICTURE\/LENGTH\s+STATUS\s+CREATED$/);
    const listed = lines.slice(1).map((line) => line.split(/\s+/)[0]);
    expect(listed.indexOf(ids[2]!)).toBeLessThan(listed.indexOf(ids[0]!));
    expect(lines.find((line) => line.startsWith(ids[0]!))).toMatch(/first\.png\s+image\/png\s+\d+ B\s+3×2\s+completed/);

    const one = await assetd(['ls', '--limit', '1', '--json']);
    const page = JSON.parse(one.stdout) as { data: { asset_id: string }[]; has_more: boolean; next_token: string };
    expect(page).toMatchObject({ data: [{ asset_id: ids[2] }], has_more: true });
    const after = JSON.parse((await assetd(['ls', '--limit', '1', '--token', page.next_token, '--json'])).stdout) as typeof page;
    expect(after.data[0]!.asset_id).toBe(ids[1]);
    expect((await assetd(['ls', '--limit', '1'])).stderr).toMatch(/^More: assetd ls --token \S+ \(or --all\)$/m);
    const all = JSON.parse((await assetd(['ls', '--limit', '2', '--all', '--json'])).stdout) as typeof page;
    expect(all.has_more).toBe(false);
    expect(all.data.map((a) => a.asset_id)).toEqual(expect.arrayContaining(ids));
  });

  it('get prints the record as key: value lines or JSON; an unknown id is exit 1 with the API\'s words', async () => {
    const human = await assetd(['get', ids[0]!]);
    expect(human.stdout).toMatch(new RegExp(`^asset_id: +${ids[0]}$`, 'm'));
    expect(human.stdout).toMatch(/^width: +3$/m);
    expect(JSON.parse((await assetd(['get', ids[0]!, '--json'])).stdout)).toMatchObject({ asset_id: ids[0], filename: 'first.png' });
    const stranger = await assetd(['get', ids[0]!], { env: { ...env, ASSETD_CLIENT_API_KEY: TENANT_B.key } });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('Asset not found. (404 not_found, asset_id)');
  });

  it('download saves the bytes under the asset\'s name, checks the SHA-256, and will not overwrite without --force', async () => {
    const into = await makeDataDir();
    try {
      const run = await assetd(['download', ids[0]!, into]);
      expect(run.code).toBe(0);
      const saved = path.join(into, 'first.png');
      expect(run.stdout.trim()).toBe(`downloaded ${ids[0]} to ${saved} (${media.png({ width: 3, height: 2 }).length} B, SHA-256 verified)`);
      expect(await fs.readFile(saved)).toEqual(media.png({ width: 3, height: 2 }));
      const again = await assetd(['download', ids[0]!, saved]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists already');
      const forced = await assetd(['download', ids[1]!, saved, '--force', '--json']);
      expect(JSON.parse(forced.stdout)).toMatchObject({ asset_id: ids[1], path: saved, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await fs.readFile(saved)).toEqual(media.wav());
      // In the current directory by default; to stdout with -.
      expect((await assetd(['download', ids[2]!], { cwd: into })).code).toBe(0);
      expect(await fs.readFile(path.join(into, 'third.pdf'))).toEqual(media.pdf());
      expect((await assetd(['download', ids[2]!, '-'])).bytes).toEqual(media.pdf());
      expect((await fs.readdir(into)).sort()).toEqual(['first.png', 'third.pdf']);
    } finally {
      await fs.rm(into, { recursive: true, force: true });
    }
  });

  it('download refuses bytes that do not match the record, and leaves no file', async () => {
    const id = (await client.upload(await file('tampered.png', media.png({ width: 4, height: 4 })))).asset_id;
    const asset = await t.server.metadata.assets.findAsset(TENANT_A.tenant, id);
    const other = media.png({ width: 4, height: 4 });
    other[other.length - 20] = other[other.length - 20]! ^ 0xff; // same size, other bytes
    await t.server.storage.write({ key: asset!.storageKey, body: Readable.from([other]), contentType: 'application/octet-stream' });
    const into = await makeDataDir();
    try {
      const run = await assetd(['download', id, into]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('checksum_mismatch');
      expect(await fs.readdir(into)).toEqual([]);
    } finally {
      await fs.rm(into, { recursive: true, force: true });
    }
  });

  it('rm deletes each id it can, says which it could not, and exits 1 if any failed', async () => {
    const gone = (await client.upload(await file('gone.png', media.png()))).asset_id;
    const run = await assetd(['rm', gone, 'asset_00000000000000000000000000000000', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ id: gone, deleted: true });
    expect(run.stderr).toContain('asset_00000000000000000000000000000000: Asset not found.');
    expect((await t.api(`/v3/assets/${gone}`)).status).toBe(404);
  });
});
