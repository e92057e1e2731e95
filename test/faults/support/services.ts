// Private instances of the scale-out servers, for suites that stop and start them mid-traffic: a PostgreSQL cluster
// of its own (Debian's binaries, as scripts/services-up.sh uses) and a RADOS Gateway of its own on the Ceph cluster
// services-up.sh started. Other suites, and other runs on the machine, keep using the shared ones undisturbed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { makeDataDir } from '../../support/server.js';
import { freePort } from './child.js';

/** Why these servers cannot be started here, or null when they can. */
export function privateServicesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'starting PostgreSQL and radosgw needs root';
  if (!postgresBin()) return 'no PostgreSQL binaries under /usr/lib/postgresql';
  if (spawnSync('radosgw', ['--version']).status !== 0) return 'no radosgw';
  if (!fs.existsSync(cephConf())) return `no Ceph cluster (${cephConf()}): run scripts/services-up.sh`;
  return null;
}

function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const version = fs.readdirSync(root).sort((a, b) => Number(a) - Number(b)).pop();
  return version ? path.join(root, version, 'bin') : null;
}

const cephConf = () => path.join(process.env.ASSETD_SERVICES_DIR ?? '/tmp/assetd-services', 'ceph', 'ceph.conf');

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs} ms`);
    await delay(100);
  }
}

/** A PostgreSQL cluster in a temporary directory, on its own loopback port, trusting local connections. */
export class PrivatePostgres {
  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly user: { uid: number; gid: number },
  ) {}

  /** The URL of the database `assetd` in it. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/assetd`;
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = await makeDataDir();
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
    const self = new PrivatePostgres(dir, await freePort(), { uid, gid });
    try {
      self.run('initdb', ['-D', self.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await self.start();
      const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${self.port}/postgres` });
      await admin.connect();
      await admin.query('CREATE DATABASE assetd');
      await admin.end();
      return self;
    } catch (error) {
      // Nobody else holds it to clean up.
      await self.destroy();
      throw error;
    }
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private run(tool: string, args: string[]): void {
    execFileSync(path.join(postgresBin()!, tool), args, { ...this.user, cwd: this.dir, stdio: 'ignore', timeout: 60_000 });
  }

  /** pg_ctl start, waiting until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`;
    this.run('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-o', options, '-w', 'start']);
    await waitFor('PostgreSQL', async () => {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres` });
      await client.connect();
      await client.end();
      return true;
    });
  }

  /** pg_ctl stop -m fast: connections are closed at once, as on a restart or a failover. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      this.stop();
    } catch {
      // not running
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A radosgw of its own (the same binary and cluster as services-up.sh's), on its own loopback port. */
export class PrivateGateway {
  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly name: string,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateGateway> {
    const dir = await makeDataDir();
    const self = new PrivateGateway(dir, await freePort(), `client.rgw.fault${process.pid}`);
    try {
      await self.start();
      return self;
    } catch (error) {
      // A gateway that started but never answered (a full cluster blocks it) is stopped here: nobody else holds it.
      await self.destroy();
      throw error;
    }
  }

  private get pidFile(): string {
    return path.join(this.dir, 'rgw.pid');
  }

  private async answers(): Promise<boolean> {
    return fetch(this.endpoint, { signal: AbortSignal.timeout(2000) }).then((res) => res.status === 200, () => false);
  }

  /** Started as services-up.sh starts its gateway (it daemonizes), then waited on until it answers. */
  async start(): Promise<void> {
    if (await this.answers()) return;
    execFileSync(
      'radosgw',
      [
        '-c',
        cephConf(),
        '-n',
        this.name,
        `--rgw-frontends=beast endpoint=127.0.0.1:${this.port}`,
        `--rgw-data=${this.dir}`,
        `--pid-file=${this.pidFile}`,
        `--admin-socket=${path.join(this.dir, 'rgw.asok')}`,
        `--log-file=${path.join(this.dir, 'rgw.log')}`,
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
    await waitFor('radosgw', () => this.answers(), 90_000);
  }

  /** SIGTERM to the gateway, waiting until it has exited (SIGKILL after 15 s). */
  async stop(): Promise<void> {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (!alive()) return;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (alive()) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await delay(50);
    }
    fs.rmSync(this.pidFile, { force: true });
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
