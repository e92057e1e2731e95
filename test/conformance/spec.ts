// The platform's published schema (platform-v3.json, a copy of shared/spec/platform-v3.json kept in the repo so a
// clean clone can test against it) and a real JSON Schema validator for its responses. The document is OpenAPI 3.0
// flavoured: Ajv 8 understands its `nullable`.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export interface QueryParameter {
  readonly name: string;
  readonly type: string;
  readonly required?: boolean;
  readonly enum?: readonly string[];
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  readonly query?: readonly QueryParameter[];
  readonly request?: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
}

export const SPEC: readonly Operation[] = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, 'platform-v3.json'), 'utf8'),
) as Operation[];

/** `GET /v3/assets/{asset_id}`: how operations are named here, with the spec's own parameter names. */
export const keyOf = (op: { method: string; path: string }): string => `${op.method.toUpperCase()} ${op.path}`;

/** The same path whatever its parameters are called: `/v3/assets/{}`. */
export const shapeOf = (route: string): string => route.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');

export function operation(key: string): Operation {
  const found = SPEC.find((op) => keyOf(op) === key);
  if (!found) throw new Error(`${key} is not an operation of platform-v3.json`);
  return found;
}

/**
 * Where the published schema cannot be met as written, the one adjustment made, with its reason. Each is listed in
 * the README's compatibility section.
 */
function adjusted(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(adjusted);
  if (!schema || typeof schema !== 'object') return schema;
  const entries = Object.entries(schema as Record<string, unknown>).map(([k, v]) => [k, adjusted(v)] as const);
  const out = Object.fromEntries(entries) as Record<string, unknown>;
  // The search response's items are `oneOf` an image and an icon shape that differ only in a default: any item
  // matches both, so no item could ever match exactly one. `anyOf` is what the document means.
  if (Array.isArray(out.oneOf)) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  // The translation request gives `audio` and `srt` a `nullable` beside that `oneOf` and no `type`, which Ajv
  // refuses to compile; OpenAPI means "or null".
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

/** Validates a 2xx body against the operation's response schema; returns the problems (none when it conforms). */
function problems(key: string, part: 'request' | 'response', value: unknown): string[] {
  const schema = operation(key)[part];
  if (!schema) return [];
  const id = `${part} ${key}`;
  let validate = validators.get(id);
  if (!validate) {
    validate = ajv.compile(adjusted(schema) as object);
    validators.set(id, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Checks a 2xx body against the operation's response schema; returns the problems (none when it conforms). */
export const responseProblems = (key: string, body: unknown): string[] => problems(key, 'response', body);

/** Checks what a case sends against the request schema: the case must speak as a platform client would. */
export const requestProblems = (key: string, body: unknown): string[] => problems(key, 'request', body);
