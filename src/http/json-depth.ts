// Bounds on what a JSON body may hold, checked once, right after parsing and before anything walks it. No request of
// the API nests more than a few levels; a body nested thousands deep would only exhaust the stack of whatever walks
// it next (validation, fingerprinting). And no field may hold a NUL character: no database stores one in text
// (PostgreSQL refuses it), and no id, name or prompt needs one.

/** Deeper than any request of the API (a job body with file inputs nests 4 levels). */
export const MAX_JSON_DEPTH = 64;

export type JsonProblem = { readonly kind: 'too_deep' } | { readonly kind: 'nul'; readonly path: string };

/** The first problem of a parsed body, found without recursion; null when it has none. */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return { kind: 'nul', path: path || 'body' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep' };
    if (Array.isArray(current)) {
      current.forEach((child, i) => stack.push({ value: child, depth: depth + 1, path: `${path}[${i}]` }));
    } else {
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\u0000')) return { kind: 'nul', path: path || 'body' };
        stack.push({ value: child, depth: depth + 1, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return null;
}
