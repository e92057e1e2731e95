// TypeBox builders for the JSON Schema spellings the API already uses, so that a schema written with them validates,
// serializes and documents exactly as its hand-written form did, while its TypeScript type comes from it.
import { Type, type Static, type TSchema } from 'typebox';

/** `{type: [T, 'null']}`: the type-array spelling (TypeBox's own Union would be an `anyOf`). */
export function Nullable<T extends TSchema>(schema: T) {
  const { type } = schema as { type?: string };
  if (typeof type !== 'string') throw new Error('Nullable takes a schema with a single type.');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** A JSON body that may also be absent or `null`: an empty body reaches the handler as `undefined`. */
export function OptionalBody<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null | undefined>(Nullable(schema));
}

/** `{$ref: 'Id#'}` to a schema registered with addSchema, typed as that schema. */
export function RefOf<T extends TSchema>(schema: T) {
  const { $id } = schema as { $id?: string };
  if (!$id) throw new Error('RefOf takes a schema with an $id.');
  return Type.Unsafe<Static<T>>({ $ref: `${$id}#` });
}

/** A string with an `enum` (TypeBox's Union of literals would be an `anyOf` of consts). */
export function StringEnum<const V extends readonly string[]>(values: V, options: { description?: string } = {}) {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

/** `{type: 'object', additionalProperties: {type: 'string'}}`: header names to values (Record would be patternProperties). */
export function StringMap() {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } });
}

/**
 * A property the client may leave out and the handler always has: ajv (`useDefaults`) fills it from `default`. It
 * stays out of `required` in the schema, and is not optional in the type.
 */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): T {
  return Type.Optional(Type.Unsafe<Static<T>>({ ...schema, default: value })) as unknown as T;
}
