/**
 * `$evaluators` / `{"$ref": "name"}` substitution. flagd-core replaces the text `{"$ref":"name"}` in
 * the JSON document, evaluator by evaluator, in declaration order; we substitute structurally and
 * recursively, so nested references resolve whatever the declaration order (flagd-core leaves a
 * reference to an evaluator declared *before* the referencing one unresolved → PARSE_ERROR).
 * Unknown and cyclic references are errors.
 */
import type { Origins } from './jsonlogic.js';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const child = (path: string, seg: string | number) => (typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg);

export class RefError extends Error {
  override name = 'RefError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export class RefResolver {
  private readonly resolved = new Map<string, unknown>();
  readonly origins: Origins = new WeakMap();

  constructor(private readonly evaluators: Record<string, unknown>) {}

  /** A copy of `node` with every `$ref` replaced. Throws {@link RefError} (first problem found). */
  resolve(node: unknown, path: string, stack: readonly string[] = []): unknown {
    if (Array.isArray(node)) return node.map((n, i) => this.resolve(n, child(path, i), stack));
    if (!isObj(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === '$ref') return this.ref(node.$ref, child(path, '$ref'), stack);
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = this.resolve(node[k], child(path, k), stack);
    return out;
  }

  /** Resolves one evaluator by name (used to check every evaluator, referenced or not). */
  evaluator(name: string): unknown {
    return this.ref(name, child('$evaluators', name), []);
  }

  private ref(name: unknown, path: string, stack: readonly string[]): unknown {
    if (typeof name !== 'string' || !Object.hasOwn(this.evaluators, name)) {
      throw new RefError(path, `unknown evaluator ${JSON.stringify(name)} (not in $evaluators)`);
    }
    if (stack.includes(name)) throw new RefError(path, `evaluator '${name}' references itself (${[...stack, name].join(' → ')})`);
    if (this.resolved.has(name)) return this.resolved.get(name);
    const origin = child('$evaluators', name);
    const body = this.resolve(this.evaluators[name], origin, [...stack, name]);
    if (body !== null && typeof body === 'object') this.origins.set(body, origin);
    this.resolved.set(name, body);
    return body;
  }
}
