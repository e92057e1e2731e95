// The assetd command as `npm start` runs it: first start mints and prints a key that works; a bad environment is
// refused with every problem listed and exit code 2; SIGTERM shuts down cleanly.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { spawnAssetd } from '../support/cli.js';
import { makeDataDir } from '../support/server.js';

function runCli(env: Record<string, string>) {
  const { child, output } = spawnAssetd(['serve'], env);
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout, stderr } = output();
      const match = pattern.exec(stdout);
      if (match) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, output, waitFor };
}

describe('assetd serve', () => {
  it('mints a key on first start, prints it, and the key works; SIGTERM exits 0', async () => {
    const dataDir = await makeDataDir();
    const cli = runCli({ ASSETD_DATA_DIR: dataDir, ASSETD_PORT: '0', ASSETD_LOG_LEVEL: 'info' });
    try {
      const [, key] = await cli.waitFor(/^ {2}(ak_\S+)$/m);
      const [, address] = await cli.waitFor(/-F file=@picture\.png (http:\/\/127\.0\.0\.1:\d+)\/v3\/assets/);
      const res = await fetch(`${address}/v3/assets`, { headers: { 'x-api-key': key! } });
      expect(res.status).toBe(200);
      expect((await fetch(`${address}/v3/assets`, { headers: { 'x-api-key': 'ak_wrong' } })).status).toBe(401);
      expect(cli.output().stdout).not.toContain('ak_wrong');
    } finally {
      cli.child.kill('SIGTERM');
    }
    const [code] = await once(cli.child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses a bad environment with every problem and exit code 2', async () => {
    const cli = runCli({ ASSETD_PORT: '99999', ASSETD_MAX_UPLOAD_BYTES: 'lots' });
    const [code] = await once(cli.child, 'exit');
    expect(code).toBe(2);
    expect(cli.output().stderr).toContain('ASSETD_PORT must be between 0 and 65535');
    expect(cli.output().stderr).toContain('ASSETD_MAX_UPLOAD_BYTES must be a whole number');
  });
});
