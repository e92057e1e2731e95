// Runs the assetd command (src/cli/main.ts through tsx) as a child process with only the given environment, and
// collects what it prints. `stdin` is piped in when given (else the child has none).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx's loader and the command by absolute location, so the child may run in any directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

export interface CliRun {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** stdout as bytes (downloads to `-`). */
  stdoutBytes(): Buffer;
}

export function spawnAssetd(args: readonly string[], env: Record<string, string>, options: { stdin?: Buffer; cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (options.stdin) child.stdin!.end(options.stdin);
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, output: () => ({ stdout: Buffer.concat(chunks).toString(), stderr }), stdoutBytes: () => Buffer.concat(chunks) };
}
