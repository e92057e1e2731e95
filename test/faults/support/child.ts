// A real `assetd serve` child process on a fixed loopback port, so clients keep one address across kill -9 and
// restart. Runs src/cli/main.ts through tsx, as test/support/cli.ts does.
import { once } from 'node:events';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { spawnAssetd, type CliRun } from '../../support/cli.js';

/** A port nothing listens on right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export class ChildServer {
  private run: CliRun | null = null;
  /** When the running process first answered /healthz. */
  readyAt = 0;

  private constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `env` is the whole ASSETD_* environment but the port, which is chosen here and kept for every restart. */
  static async create(env: Record<string, string>): Promise<ChildServer> {
    const port = await freePort();
    return new ChildServer(`http://127.0.0.1:${port}`, { ...env, ASSETD_HOST: '127.0.0.1', ASSETD_PORT: String(port) });
  }

  get child(): ChildProcess | null {
    return this.run?.child ?? null;
  }

  /** Starts the process and resolves, with how long it took, once /healthz answers 200. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    const run = spawnAssetd(['serve'], this.env);
    this.run = run;
    const deadline = started + timeoutMs;
    for (;;) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        throw new Error(`assetd exited (${run.child.exitCode ?? run.child.signalCode}) before answering:\n${run.output().stderr}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`assetd did not answer in ${timeoutMs} ms:\n${run.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    this.readyAt = Date.now();
    return this.readyAt - started;
  }

  /** SIGKILL: no handler runs, nothing is flushed or cleaned up. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, the orderly stop. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  output(): { stdout: string; stderr: string } {
    return this.run?.output() ?? { stdout: '', stderr: '' };
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.run?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
