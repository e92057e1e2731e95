#!/usr/bin/env node
// The assetd command: process concerns only (environment, signals, exit codes, what to print); the rest is wired
// by startServer().
import { Command } from 'commander';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { GENERATED_KEY_FILE } from './first-key.js';
import { startServer } from './server.js';
import { DEFAULT_CLIENT_URL, uploadCommand, type UploadCommandOptions } from './upload.js';
import { openMetadata } from './stores.js';

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`assetd: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function serve(options: { migrate?: boolean } = {}): Promise<void> {
  const config = configOrExit();
  const server = await startServer(config, { migrate: options.migrate !== false });
  if (server.generatedKey) {
    process.stdout.write(
      [
        '',
        `assetd generated an API key (tenant "default"), kept in ${path.join(config.dataDir, GENERATED_KEY_FILE)}:`,
        '',
        `  ${server.generatedKey}`,
        '',
        'Try it:',
        `  curl -H "x-api-key: ${server.generatedKey}" -F file=@picture.png ${server.address}/v3/assets`,
        '',
      ].join('\n'),
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Requests in flight (uploads) get the grace period to finish; readiness answers 503 meanwhile.
    server.app.log.info({ signal, graceSeconds: config.shutdownGraceSeconds }, 'shutting down');
    server.close({ graceMs: config.shutdownGraceSeconds * 1000 }).then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(): Promise<void> {
  const config = configOrExit();
  const store = await openMetadata(config, { migrate: true });
  await store.close();
  process.stdout.write('assetd: migrations applied\n');
}

const program = new Command('assetd').description('Self-hostable asset service (v3 Assets API)');
program
  .command('serve')
  .description('run the HTTP API (the default)')
  .option('--no-migrate', 'do not apply database migrations at start (run `assetd migrate` instead)')
  .action((options: { migrate: boolean }) => serve(options));
program.command('migrate').description('apply database migrations and exit').action(migrate);
program
  .command('upload')
  .description('upload files to an assetd server and print one JSON line per asset')
  .argument('<files...>', 'files to upload')
  .option('--url <url>', `the server (default: ASSETD_CLIENT_URL, else ${DEFAULT_CLIENT_URL})`)
  .option('--api-key <key>', 'the API key (default: ASSETD_CLIENT_API_KEY, else the key in ./data/api-key)')
  .option('--direct-above <bytes>', 'use direct upload for files larger than this (default: 33554432)')
  .action(async (files: string[], options: UploadCommandOptions) => {
    process.exitCode = await uploadCommand(files, options);
  });
program.action(() => serve());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`assetd: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
