// WAL checkpoints off the main thread. SQLite copies the write-ahead log back into the database file (a checkpoint)
// inside whichever commit pushes the log past wal_autocheckpoint pages: 1,000 page writes and two fsyncs, 10-16 ms
// on this machine's disk, during which the event loop serves nobody. Under a stream of small uploads that happened
// every few dozen uploads and landed on every request in flight. A worker thread with its own connection runs
// PASSIVE checkpoints (they never block a writer) every CHECKPOINT_EVERY_MS instead; the main connection keeps an
// automatic checkpoint only as a backstop, far above what the worker lets the log reach, for a worker that died.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 200;
/** Pages (4 KiB) the log may reach before the main connection checkpoints by itself: the worker keeps it far below. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;

export interface Checkpointer {
  /** Checkpoints run so far (reported by the worker after each). */
  readonly runs: () => number;
  stop(): Promise<void>;
}

// Plain CommonJS evaluated in the worker, so it runs the same from src (tests) and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('checkpointed');
  } catch {
    // Busy or briefly unavailable: the next tick tries again, and the main connection's backstop remains.
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(file: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
  // Never what keeps a process alive: a CLI command that forgets to close still exits.
  worker.unref();
  let runs = 0;
  worker.on('message', () => (runs += 1));
  // A worker that fails leaves the backstop checkpointing; it must not take the process down.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    runs: () => runs,
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
