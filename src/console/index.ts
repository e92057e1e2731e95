// The web console: a static page (HTML, CSS and one ES module; no framework and no build step of its own) that the
// HTTP layer serves at `/`. Its script is a client of the public API like any other, with a key the user pastes.
// The build copies static/ beside the compiled index.js, so the page is found the same way from src/ and dist/.
import fs from 'node:fs/promises';

export interface ConsoleFile {
  /** Where the page asks for it. */
  readonly urlPath: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const STATIC_DIR = new URL('./static/', import.meta.url);

const FILES: readonly { name: string; urlPath: string; contentType: string }[] = [
  { name: 'index.html', urlPath: '/', contentType: 'text/html; charset=utf-8' },
  { name: 'app.js', urlPath: '/console/app.js', contentType: 'text/javascript; charset=utf-8' },
  { name: 'style.css', urlPath: '/console/style.css', contentType: 'text/css; charset=utf-8' },
];

/** Reads the page's files once, at start. */
export async function loadConsole(): Promise<ConsoleFile[]> {
  return Promise.all(
    FILES.map(async ({ name, urlPath, contentType }) => ({ urlPath, contentType, body: await fs.readFile(new URL(name, STATIC_DIR)) })),
  );
}
