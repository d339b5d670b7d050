/**
 * The shape of a JSON payload (keys and JSON types, arrays by their elements), for contract tests
 * that hold a simulator's payloads to the venues' documented examples: the same keys with the
 * same types, whatever the values.
 */
export type Shape = string | { array: Shape | null } | { object: Record<string, Shape> };

export function shapeOf(v: unknown): Shape {
  if (v === null) return 'null';
  if (Array.isArray(v)) return { array: v.length === 0 ? null : shapeOf(v[0]) };
  if (typeof v === 'object') {
    const out: Record<string, Shape> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = shapeOf(x);
    return { object: out };
  }
  return typeof v;
}

/**
 * Where two payloads differ in shape: keys only one has, types that differ. `optional` lists
 * key paths ("a.b", "tokens[].price") either side may lack; an empty array matches any array.
 */
export function shapeDiff(expected: unknown, actual: unknown, optional: readonly string[] = []): string[] {
  const out: string[] = [];
  walk(shapeOf(expected), shapeOf(actual), '', new Set(optional), out);
  return out;
}

function walk(e: Shape, a: Shape, path: string, optional: Set<string>, out: string[]): void {
  if (typeof e === 'string' || typeof a === 'string') {
    if (e !== a && !(optional.has(path) && (e === 'null' || a === 'null'))) out.push(`${path || '(root)'}: ${describe(e)} vs ${describe(a)}`);
    return;
  }
  if ('array' in e || 'array' in a) {
    if (!('array' in e) || !('array' in a)) return void out.push(`${path}: ${describe(e)} vs ${describe(a)}`);
    if (e.array !== null && a.array !== null) walk(e.array, a.array, `${path}[]`, optional, out);
    return;
  }
  const keys = new Set([...Object.keys(e.object), ...Object.keys(a.object)]);
  for (const k of [...keys].sort()) {
    const p = path ? `${path}.${k}` : k;
    const ek = e.object[k];
    const ak = a.object[k];
    if (ek === undefined || ak === undefined) {
      if (!optional.has(p)) out.push(`${p}: ${ek === undefined ? 'only in the simulator' : 'missing from the simulator'}`);
      continue;
    }
    walk(ek, ak, p, optional, out);
  }
}

function describe(s: Shape): string {
  if (typeof s === 'string') return s;
  return 'array' in s ? 'array' : 'object';
}
