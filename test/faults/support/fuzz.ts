// What the fuzz suite sends: a valid body for a route, derived from its JSON schema in /openapi.json; mutations of
// it (wrong types, missing and extra fields, huge strings, deep nesting, nulls, unicode); arbitrary JSON and text;
// multipart bodies with random parts, names, boundaries and truncations. Mutations are plans applied to a copy of
// the valid body, so fast-check shrinks them to the smallest one that fails.
import fc from 'fast-check';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values the schema alone cannot make valid, by property name (ids of things this run created, real files). */
export type Overrides = Readonly<Record<string, Json>>;

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  if (typeof schema.$ref === 'string') return resolve(components[schema.$ref.split('/').pop()!]!, components);
  if (Array.isArray(schema.anyOf)) return resolve(schema.anyOf[0], components);
  return schema;
}

/** A body the schema takes: required properties only, each at its simplest, with the overrides by name. */
export function validBody(schema: Schema, components: Record<string, Schema>, overrides: Overrides, name?: string): Json {
  if (name !== undefined && name in overrides) return overrides[name]!;
  const s = resolve(schema, components);
  if (Array.isArray(s.enum)) return (s.enum as Json[]).find((v) => v !== null) ?? null;
  if (s.default !== undefined) return s.default;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const key of s.required ?? []) out[key] = validBody(s.properties?.[key] ?? {}, components, overrides, key);
      return out;
    }
    case 'array':
      return [validBody(s.items ?? {}, components, overrides, name)];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return null;
  }
}

/** A marker stringified in place of a value nested `depth` deep, expanded after JSON.stringify (no recursion). */
const DEEP = '\u0000deep:';
const deepValue = (depth: number, kind: 'array' | 'object'): string => `${DEEP}${kind}:${depth}\u0000`;
const deepText = (kind: string, depth: number) => (kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** JSON text of a value, with every deep-nesting marker expanded. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000deep:(array|object):(\d+)\\u0000"/g, (_, kind: string, depth: string) => deepText(kind, Number(depth)));
}

/** Replacement values: the wrong type, nothing, too much, too deep, odd characters and numbers. */
export const oddValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, weight: 4 },
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: fc.constantFrom<Json>('', [], {}, true, 0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, '0', 'null', ' '), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.integer({ min: 64 * 1024, max: 2 * 1024 * 1024 }).map((n) => 'é'.repeat(n / 2)), weight: 1 },
  {
    arbitrary: fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => deepValue(d, k)),
    weight: 1,
  },
);

type Mutation = { op: 'set'; at: number; value: Json } | { op: 'delete'; at: number } | { op: 'extra'; at: number; key: string; value: Json };

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: oddValue }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('extra' as const), at: fc.nat(), key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), value: oddValue }),
  ),
  { minLength: 1, maxLength: 4 },
);

/** Every (container, key) in a value: the places a mutation may hit. */
function places(value: Json, out: { parent: Json[] | Record<string, Json>; key: string | number }[] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ parent: value, key: i });
      places(item, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push({ parent: value, key });
      places(item, out);
    }
  }
  return out;
}

function containers(value: Json, out: Record<string, Json>[] = []): Record<string, Json>[] {
  if (Array.isArray(value)) value.forEach((item) => containers(item, out));
  else if (value !== null && typeof value === 'object') {
    out.push(value);
    Object.values(value).forEach((item) => containers(item, out));
  }
  return out;
}

export function mutate(valid: Json, plan: readonly Mutation[]): Json {
  let body = structuredClone(valid);
  // Copies: the plan's values are fast-check's, reused while it shrinks, and later steps may write into them.
  for (const { ...step } of plan) {
    if (step.op !== 'delete') step.value = structuredClone(step.value);
    if (step.op === 'extra') {
      const targets = containers(body);
      if (targets.length > 0) targets[step.at % targets.length]![step.key] = step.value;
      continue;
    }
    const all = places(body);
    if (all.length === 0) {
      if (step.op === 'set') body = step.value;
      continue;
    }
    const { parent, key } = all[step.at % all.length]!;
    if (step.op === 'set') (parent as Record<string | number, Json>)[key] = step.value;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  }
  return body;
}

/** A JSON request body as bytes, and the content type to send it with (or none). */
export interface RawBody {
  readonly bytes: Buffer;
  readonly contentType: string | null;
}

const contentTypes = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'Application/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json, text/plain',
      '',
    ),
    weight: 2,
  },
  { arbitrary: fc.constant(null), weight: 1 },
);

/** Bodies for a route whose valid body is `valid`: mutations of it, arbitrary JSON, broken text. */
export function jsonBodies(valid: Json): fc.Arbitrary<RawBody> {
  const text = toJsonText(valid);
  const bodyText: fc.Arbitrary<Buffer> = fc.oneof(
    { arbitrary: mutations.map((plan) => Buffer.from(toJsonText(mutate(valid, plan)))), weight: 10 },
    { arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), weight: 3 },
    { arbitrary: fc.constant(Buffer.from(text)), weight: 1 },
    // Broken: cut short, invalid UTF-8 inside, a byte-order mark, random text, nothing.
    { arbitrary: fc.nat().map((n) => Buffer.from(text.slice(0, n % Math.max(1, text.length)))), weight: 2 },
    {
      arbitrary: fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([n, junk]) => {
        const bytes = Buffer.from(text);
        const at = n % (bytes.length + 1);
        return Buffer.concat([bytes.subarray(0, at), Buffer.from(junk), bytes.subarray(at)]);
      }),
      weight: 2,
    },
    { arbitrary: fc.constant(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)), weight: 1 },
    { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
  );
  return fc.record({ bytes: bodyText, contentType: contentTypes });
}

/** A header value Node will send: printable Latin-1, no CR or LF. */
export const headerValue = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));

/** A path segment: the real id, or anything (unicode, percent garbage, dots). */
export function pathSegment(real: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(real), weight: 6 },
    { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.constantFrom('%', '%zz', '%C0%AF', '%FF', '..', '%2e%2e', '%00', 'a%2Fb', `${real}x`, real.toUpperCase(), 'x'.repeat(5000)), weight: 2 },
  );
}

export interface MultipartCase {
  readonly body: Buffer;
  readonly contentType: string;
}

const partName = fc.oneof(
  { arbitrary: fc.constant('file'), weight: 5 },
  { arbitrary: fc.constantFrom('files', 'File', 'file[]', '', 'file"', 'purpose'), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 2 },
);

/**
 * A multipart/form-data request: 0-4 parts (names, file names, types and bodies at random, a real file among
 * them), a boundary that may be odd or disagree with the body's, line ends that may be bare LFs, and a body that
 * may be cut anywhere.
 */
export function multipartCases(files: readonly Buffer[]): fc.Arbitrary<MultipartCase> {
  const part = fc.record({
    name: partName,
    filename: fc.option(fc.oneof(fc.constantFrom('a.png', '../../etc/passwd', 'a"b.png', 'a\r\nb.png', ''), fc.string({ unit: 'grapheme', maxLength: 60 })), { nil: undefined }),
    type: fc.option(fc.oneof(fc.constantFrom('image/png', 'application/octet-stream', 'text/plain', ''), fc.string({ unit: 'binary', maxLength: 30 })), { nil: undefined }),
    body: fc.oneof(
      { arbitrary: fc.constantFrom(...files), weight: 4 },
      { arbitrary: fc.uint8Array({ maxLength: 70_000 }).map((a) => Buffer.from(a)), weight: 2 },
      { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
    ),
  });
  const boundary = fc.oneof(
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/), weight: 6 },
    { arbitrary: fc.constantFrom('', ' ', 'a b', '"quoted"', 'x'.repeat(200), '--', 'é'), weight: 2 },
  );
  return fc
    .record({
      parts: fc.array(part, { maxLength: 4 }),
      boundary,
      declared: fc.oneof({ arbitrary: fc.constant('same'), weight: 8 }, { arbitrary: fc.constantFrom('quoted', 'other', 'missing', 'not-multipart'), weight: 2 }),
      preamble: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      closing: fc.boolean(),
      cutAt: fc.option(fc.nat(), { nil: undefined }),
      // One in ten uses bare LF line ends.
      // One in ten uses bare LFs for line ends.
      lfOnly: fc.integer({ min: 0, max: 9 }),
    })
    .map(({ parts, boundary: b, declared, preamble, closing, cutAt, lfOnly }) => {
      const nl = lfOnly === 0 ? '\n' : '\r\n';
      const chunks: Buffer[] = [];
      if (preamble !== undefined) chunks.push(Buffer.from(`${preamble}${nl}`));
      for (const p of parts) {
        const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
        const type = p.type === undefined ? '' : `${nl}Content-Type: ${p.type}`;
        chunks.push(Buffer.from(`--${b}${nl}Content-Disposition: form-data; name="${p.name}"${filename}${type}${nl}${nl}`), p.body, Buffer.from(nl));
      }
      if (closing) chunks.push(Buffer.from(`--${b}--${nl}`));
      let body = Buffer.concat(chunks);
      if (cutAt !== undefined) body = body.subarray(0, cutAt % (body.length + 1));
      const contentType = {
        same: `multipart/form-data; boundary=${b}`,
        quoted: `multipart/form-data; boundary="${b}"`,
        other: 'multipart/form-data; boundary=something-else',
        missing: 'multipart/form-data',
        'not-multipart': 'application/octet-stream',
      }[declared]!.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
      return { body, contentType };
    });
}
