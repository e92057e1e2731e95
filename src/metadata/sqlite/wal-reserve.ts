// Room for the write-ahead log on a full disk. A commit appends to the WAL; once the log has been checkpointed,
// SQLite starts it again from the front, reusing the blocks the file already has. On a disk that uploads filled to
// the last block, a commit that must go past the file's end gets SQLITE_FULL, and then even a DELETE (the way to
// free room) fails. So the log file is given WAL_RESERVE_BYTES of real blocks when the store opens: zeros past its
// end, which SQLite reads as no frames (their salts never match), and which it overwrites as the log grows. The
// zeros are written under the write lock (BEGIN IMMEDIATE), so no other connection can be appending meanwhile, and
// only past the file's current end, where no frame can be.
import fs from 'node:fs';
import type { Database } from 'better-sqlite3';

export const WAL_RESERVE_BYTES = 4 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024);

/** Best effort: a disk already too full to take the reserve opens without one. */
export function reserveWalSpace(database: Database, file: string, bytes = WAL_RESERVE_BYTES): void {
  database.exec('BEGIN IMMEDIATE');
  try {
    const wal = `${file}-wal`;
    let size: number;
    try {
      size = fs.statSync(wal).size;
    } catch {
      return;
    }
    if (size >= bytes) return;
    const fd = fs.openSync(wal, 'r+');
    try {
      for (let at = size; at < bytes; ) at += fs.writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, bytes - at), at);
      fs.fsyncSync(fd);
    } catch {
      // No room even for this: the store still opens.
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    database.exec('ROLLBACK');
  }
}
