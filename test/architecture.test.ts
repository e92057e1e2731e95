// The layering of ARCHITECTURE.md, checked: every relative import in src/ may only reach the layers listed for its
// own layer, so the map cannot silently stop being true.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Which other layers each layer may import. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  media: [],
  config: [],
  domain: ['media'],
  metadata: ['domain'],
  storage: ['domain'],
  inputs: ['domain'],
  images: ['domain'],
  console: [],
  http: ['domain', 'media'],
  client: ['media'],
  cli: ['config', 'domain', 'http', 'inputs', 'media', 'metadata', 'storage', 'client', 'images', 'console'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const layerOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]!);
}

describe('layering', () => {
  const files = sourceFiles(SRC);

  it('knows every layer folder under src/', () => {
    expect(new Set(files.map(layerOf))).toEqual(new Set(Object.keys(ALLOWED)));
  });

  it('imports only downwards, as ARCHITECTURE.md says', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const specifier of importsOf(file)) {
        const target = path.resolve(path.dirname(file), specifier);
        if (!target.startsWith(SRC + path.sep)) {
          // Tests beside the code may use test/support; production code may not leave src/.
          if (!file.endsWith('.test.ts')) broken.push(`${path.relative(SRC, file)} → ${specifier}`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from]!.includes(to)) broken.push(`${path.relative(SRC, file)} → ${specifier}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
