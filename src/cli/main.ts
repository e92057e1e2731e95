#!/usr/bin/env node
// The assetd command: process concerns only (arguments, environment, signals, exit codes, what to print); the
// server is wired by startServer(), the client verbs speak the public API through src/client.
// Exit codes: 0 done; 1 something failed (a refusal, a missing file, the server unreachable); 2 a usage problem or
// a server that cannot start (bad configuration). `assetd` alone prints the help.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { downloadCommand, getCommand, listCommand, removeCommand } from './assets.js';
import { DEFAULT_CLIENT_URL, describeFailure, UsageError } from './client-options.js';
import { GENERATED_KEY_FILE } from './first-key.js';
import { printJson } from './output.js';
import { uploadCommand } from './upload.js';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

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
  // Loaded here, not at the top: the client verbs start without the server's modules (the AWS SDK, sharp, …).
  const { startServer } = await import('./server.js');
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
        `  or open the console at ${server.address}/ and paste the key`,
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

async function migrate(options: { json?: boolean }): Promise<void> {
  const config = configOrExit();
  const { openMetadata } = await import('./stores.js');
  const store = await openMetadata(config, { migrate: true });
  await store.close();
  if (options.json) printJson({ migrated: true, database: config.databaseUrl ? 'postgres' : 'sqlite' });
  else process.stdout.write('assetd: migrations applied\n');
}

/** Runs a client verb: its exit code, 2 for a usage problem, 1 for anything that failed. */
function run(verb: string, action: () => Promise<number>): Promise<void> {
  return action().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`assetd ${verb}: ${describeFailure(error)}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}

const clientOptions = (command: Command): Command =>
  command
    .addOption(new Option('--url <url>', `the server (default: ASSETD_CLIENT_URL, else ${DEFAULT_CLIENT_URL})`))
    .addOption(new Option('--api-key <key>', 'the API key (default: ASSETD_CLIENT_API_KEY, else the key in ./data/api-key)'));

const program = new Command('assetd')
  .description('Self-hostable asset service (v3 Assets API): the server, and a client for it.')
  .version(VERSION, '-v, --version', 'print the version')
  .exitOverride()
  .showSuggestionAfterError(true)
  .showHelpAfterError("(run 'assetd --help' for the verbs, 'assetd <verb> --help' for a verb's options)")
  .configureOutput({ outputError: (message, write) => write(message) });
program.addHelpText(
  'after',
  `
Exit codes: 0 done, 1 something failed, 2 a usage problem or a server that cannot start.
Client verbs read --url/--api-key, else ASSETD_CLIENT_URL/ASSETD_CLIENT_API_KEY, else ${DEFAULT_CLIENT_URL} and ./data/api-key.
Run 'assetd <verb> --help' for a verb's options.`,
);

program
  .command('serve')
  .description('run the HTTP API and the web console (what `npm start` runs)')
  .option('--no-migrate', 'do not apply database migrations at start (run `assetd migrate` instead)')
  .action((options: { migrate: boolean }) => serve(options));

program
  .command('migrate')
  .description('apply database migrations and exit')
  .option('--json', 'print the result as JSON')
  .action(migrate);

clientOptions(
  program
    .command('upload')
    .description('upload files, directories (--recursive) or standard input (-); a progress bar per file on a terminal')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .option('-r, --recursive', 'upload every file under a directory')
    .option('--filename <name>', 'the name of what comes from standard input (default: stdin)')
    .option('--direct-above <bytes>', 'use direct upload for files larger than this (default: 33554432)')
    .option('--concurrency <n>', 'files uploaded at once (default: 4)')
    .option('--multipart-above <bytes>', 'send files larger than this in resumable parts (default: 67108864)')
    .option('--part-size <bytes>', 'bytes per part of a multipart upload (default: the server\'s, 64 MiB or more)')
    .option('--parallel <n>', 'parts of one file sent at once (default: 4)')
    .option('--resume', 'continue an interrupted multipart upload from its state file, sending only the missing parts')
    .option('--state <path>', 'where the resume state of the (one) file is kept (default: FILE.assetd-upload.json)')
    .option('--json', 'print one JSON line per asset instead of a table')
    .option('-q, --quiet', 'no progress and no summary on stderr'),
).action((paths: string[], options) => run('upload', () => uploadCommand(paths, options)));

clientOptions(
  program
    .command('ls')
    .description('list your assets, newest first')
    .option('--limit <n>', 'assets per page, 1-100 (default: 20)')
    .option('--token <token>', 'the page after the one that gave this next_token')
    .option('--all', 'every page')
    .option('--json', 'print {data, has_more, next_token} as JSON'),
).action((options) => run('ls', () => listCommand(options)));

clientOptions(
  program.command('get').description("print an asset's record").argument('<asset_id>').option('--json', 'print the record as JSON'),
).action((assetId: string, options) => run('get', () => getCommand(assetId, options)));

clientOptions(
  program
    .command('rm')
    .description('delete assets (their urls stop working)')
    .argument('<asset_ids...>')
    .option('--json', 'print one JSON line per deleted asset'),
).action((assetIds: string[], options) => run('rm', () => removeCommand(assetIds, options)));

clientOptions(
  program
    .command('download')
    .description("save an asset's bytes to a file (default: its name, here), checking the SHA-256; - for stdout")
    .argument('<asset_id>')
    .argument('[path]', 'a file, a directory, or - for standard output')
    .option('-f, --force', 'replace a file that exists')
    .option('--json', 'print {asset_id, path, size_bytes, sha256} as JSON')
    .option('-q, --quiet', 'no progress on stderr'),
).action((assetId: string, target: string | undefined, options) => run('download', () => downloadCommand(assetId, target, options)));

program
  .command('version')
  .description('print the version of assetd and of Node.js')
  .option('--json', 'print {version, node} as JSON')
  .action((options: { json?: boolean }) => {
    if (options.json) printJson({ version: VERSION, node: process.version });
    else process.stdout.write(`assetd ${VERSION} (Node.js ${process.version})\n`);
  });

if (process.argv.length <= 2) {
  program.outputHelp();
} else {
  program.parseAsync(process.argv).catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and --version end here with 0; every other complaint of the parser is a usage problem.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`assetd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
