// The README's examples, copy-paste correct: the tracked files of this checkout (as the index holds them) are copied
// to a temporary directory (what a fresh clone has: an untracked file the README relies on is missing there too),
// `npm start` builds and serves it on a free port, and every block marked `<!-- readme-test: NAME -->` runs in bash there, with only
// 127.0.0.1:3000 replaced by that port (and ASSETD_CLIENT_URL set to it for the command, whose default it is). node_modules is linked rather than installed, to keep it fast.
// The blocks need curl, jq and openssl: without them this is skipped by name, except in CI
// (ASSETD_TEST_REQUIRE_SERVICES=1), where it fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REQUIRED = process.env.ASSETD_TEST_REQUIRE_SERVICES === '1';
const TOOLS = ['curl', 'jq', 'openssl', 'git'];
const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
const runnable = missing.length === 0 || REQUIRED;
const suite = runnable ? describe : describe.skip;
const name = runnable ? "the README's examples" : `the README's examples (skipped: no ${missing.join(', ')}; apt-get install ${missing.join(' ')})`;

let clone: string;
let server: ChildProcess;
let port: number;
let output = '';
const blocks = new Map<string, string>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: found } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(found));
    });
  });
}

function runBlock(block: string): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', block], {
    cwd: clone,
    // The command's default server is 127.0.0.1:3000 too: told the port the same way.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), TMPDIR: os.tmpdir(), ASSETD_CLIENT_URL: `http://127.0.0.1:${port}` },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Files in the copy that are neither tracked nor made by the quick start (data/, dist/) or by this test. */
async function strayFiles(tracked: Set<string>, made: Set<string>): Promise<string[]> {
  const entries = await fs.readdir(clone, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(clone, path.join(e.parentPath, e.name)))
    .filter((f) => !tracked.has(f) && !made.has(f) && !/^(data|dist|node_modules)\//.test(f));
}

suite(name, () => {
  const tracked = new Set<string>();
  const made = new Set(['picture.png', 'talk.mp4', 'cover.png', 'photos/one.png', 'photos/two.jpg']);

  beforeAll(async () => {
    clone = await fs.mkdtemp(path.join(os.tmpdir(), 'assetd-readme-'));
    // The index's version of every tracked file: a fresh clone in CI, and in a working copy what the next commit
    // holds (work in progress that is not staged stays out).
    const copied = spawnSync('git', ['checkout-index', '--all', '--force', `--prefix=${clone}/`], { cwd: ROOT, encoding: 'utf8' });
    expect(copied.status, copied.stderr).toBe(0);
    const listed = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
    for (const file of listed.stdout.split('\0').filter(Boolean)) tracked.add(file);
    await fs.symlink(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    await fs.writeFile(path.join(clone, 'picture.png'), media.png());
    await fs.writeFile(path.join(clone, 'cover.png'), media.png({ width: 8, height: 6 }));
    await fs.writeFile(path.join(clone, 'talk.mp4'), media.padTo(media.mp4({ video: { width: 1280, height: 720 }, durationSeconds: 12 }), 3 * 1024 * 1024 + 17));
    await fs.mkdir(path.join(clone, 'photos'));
    await fs.writeFile(path.join(clone, 'photos/one.png'), media.png({ width: 3, height: 3 }));
    await fs.writeFile(path.join(clone, 'photos/two.jpg'), media.jpeg());

    const readme = await fs.readFile(path.join(clone, 'README.md'), 'utf8');
    port = await freePort();
    for (const [, blockName, body] of readme.matchAll(/<!-- readme-test: (\S+) -->\n```sh\n([\s\S]*?)```/g)) {
      blocks.set(blockName!, body!.replaceAll('http://127.0.0.1:3000', `http://127.0.0.1:${port}`));
    }

    // In its own process group, so that stopping it stops npm's child too.
    server = spawn('npm', ['start'], {
      cwd: clone,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), ASSETD_PORT: String(port), ASSETD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 150_000;
    while (!output.includes(`http://127.0.0.1:${port}/v3/assets`)) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`npm start did not serve:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    if (clone) await fs.rm(clone, { recursive: true, force: true });
  });

  it('marks the quick start, the direct upload and the command examples', () => {
    expect([...blocks.keys()]).toEqual(['quick-start', 'direct-upload', 'cli']);
  });

  it('quick start: the printed key uploads a picture with curl', () => {
    expect(output).toMatch(/^ {2}ak_\S+$/m);
    const run = runBlock(blocks.get('quick-start')!);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ data: { mime_type: 'image/png', size_bytes: media.png().length } });
  });

  it('direct upload with curl and jq: initiate, PUT with upload_headers (a checksum among them), complete; nothing left in the checkout', async () => {
    const run = runBlock(blocks.get('direct-upload')!);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const completed = JSON.parse(lines[lines.length - 1]!) as { data: { status: string; size_bytes: number; mime_type: string } };
    expect(completed.data).toMatchObject({ status: 'completed', mime_type: 'video/mp4', size_bytes: 3 * 1024 * 1024 + 17 });
    expect(await strayFiles(tracked, made)).toEqual([]);
  });

  it('the assetd command: upload (files, a directory, stdin), ls, get, download, rm', async () => {
    const run = runBlock(blocks.get('cli')!);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^2 uploaded \(/m);
    expect(run.stdout).toMatch(/"file":"photos\/one\.png"/);
    expect(run.stdout).toMatch(/^asset_id: +asset_[0-9a-f]{32}$/m);
    expect(run.stdout).toMatch(/^downloaded asset_[0-9a-f]{32} to \S+hello\.srt \(\d+ B, SHA-256 verified\)$/m);
    expect(run.stdout).toMatch(/^deleted asset_[0-9a-f]{32}$/m);
    expect(await strayFiles(tracked, made)).toEqual([]);
  });
});

