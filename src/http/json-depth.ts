// A bound on how deeply a JSON body may nest. No request of the API nests more than a few levels; a body nested
// thousands deep would only exhaust the stack of whatever walks it next (validation, fingerprinting), so it is
// refused as the client's mistake before anything does.

/** Deeper than any request of the API (a job body with file inputs nests 4 levels). */
export const MAX_JSON_DEPTH = 64;

/** How deep `value` nests, counted without recursion, stopping as soon as it passes `limit`. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
