// The processes and temp dirs of one `npm run bench`: every server is a child process on a free loopback port with
// a fresh temp dir, writing its output to a log file there; all of it is removed at the end, also when the bench
// dies (synchronously, from 'exit' and signal handlers).
import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv, cleanUpOnExit, freePort, startChild, waitForHealthy, type Child } from './lib.js';

export interface Server {
  readonly child: Child;
  readonly baseUrl: string;
  readonly dir: string;
}

export class Fleet {
  private readonly children: Child[] = [];
  private readonly dirs: string[] = [];
  private readonly teardowns: (() => Promise<void>)[] = [];

  constructor() {
    cleanUpOnExit(this.children, this.dirs);
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Something to undo at close (a database, a bucket), after the servers are stopped. */
  onClose(teardown: () => Promise<void>): void {
    this.teardowns.push(teardown);
  }

  /** Starts `node <args>` in `cwd` with the env `env` makes for its port and dir; waits until GET /healthz answers 200. */
  async start(name: string, args: string[], cwd: string, env: (port: number, dir: string) => Record<string, string>): Promise<Server> {
    const port = await freePort();
    const dir = this.tempDir(`assetd-bench-${name.replace(/[^a-z0-9]+/gi, '-')}-`);
    const child = startChild(name, args, childEnv(env(port, dir)), cwd, path.join(dir, 'output.log'));
    this.children.push(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealthy(child, baseUrl);
    return { child, baseUrl, dir };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.children.map((child) => child.stop()));
    for (const teardown of this.teardowns.reverse()) await teardown().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    await Promise.allSettled(this.dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    this.children.length = 0;
    this.dirs.length = 0;
    this.teardowns.length = 0;
  }
}
