// Runs the assetd command (src/cli/main.ts through tsx) as a child process with only the given environment, and
// collects what it prints.
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliRun {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
}

export function spawnAssetd(args: readonly string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}
