// The tus baseline of `npm run bench`: @tus/server 2 with @tus/file-store in its own process, as its README sets it
// up (a node:http server handing every request to server.handle), at /files under $BENCH_DIR. The file store writes
// each PATCH with fs.createWriteStream and keeps the upload's metadata in a JSON file beside it; it never fsyncs.
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { listen, setting } from './listen.js';

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: setting('BENCH_DIR') }) });
listen((request, response) => tus.handle(request, response));
