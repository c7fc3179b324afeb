/**
 * The service dependency graph: `api.dependsOn: [worker]` means worker's rollout in an environment must
 * have completed before api's starts. Levels group services that can roll out in parallel; everything is
 * ordered by name so the same config always gives the same levels, cycles and diagrams.
 */

export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
  team?: string | undefined;
}

export class DependencyCycleError extends Error {
  override name = 'DependencyCycleError';
  constructor(readonly cycles: string[][]) {
    super(`dependency cycle${cycles.length > 1 ? 's' : ''}: ${cycles.map(formatCycle).join('; ')}`);
  }
}

type Graph = Map<string, string[]>;
export type GraphInput = Iterable<GraphNode> | Record<string, { dependsOn: readonly string[]; team?: string | undefined }>;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function nodesOf(input: GraphInput): GraphNode[] {
  const list = Symbol.iterator in input ? [...(input as Iterable<GraphNode>)] : Object.entries(input).map(([name, n]) => ({ name, ...n }));
  return list.sort((a, b) => byName(a.name, b.name));
}

/** name → sorted, de-duplicated dependencies; a target that is not a node becomes one (with no dependencies). */
function graphOf(input: GraphInput): Graph {
  const g: Graph = new Map();
  for (const n of nodesOf(input)) g.set(n.name, [...new Set(n.dependsOn)].sort(byName));
  for (const deps of [...g.values()]) for (const d of deps) if (!g.has(d)) g.set(d, []);
  return new Map([...g].sort(([a], [b]) => byName(a, b)));
}

/** `['api', 'worker', 'api']` → `api → worker → api`. */
export const formatCycle = (cycle: readonly string[]) => cycle.join(' → ');

/** Strongly connected components (Tarjan), each sorted, in order of their smallest name. */
function components(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.sort(byName));
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => byName(a[0]!, b[0]!));
}

/** The shortest cycle through `start` inside its component, following dependsOn edges (BFS, names in order). */
function cycleThrough(g: Graph, start: string, members: Set<string>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of g.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Every dependency cycle, one per group of services that depend on each other, each named in order
 * from its alphabetically first service: `[['api', 'worker', 'api']]`. A self-dependency is `['a', 'a']`.
 */
export function findCycles(input: GraphInput): string[][] {
  const g = graphOf(input);
  return components(g)
    .filter((c) => c.length > 1 || (g.get(c[0]!) ?? []).includes(c[0]!))
    .map((c) => cycleThrough(g, c[0]!, new Set(c)));
}

/**
 * Rollout order: level 0 depends on nothing, level n on services of levels below n only. Services in
 * one level can roll out in parallel. Throws DependencyCycleError when there is no such order.
 */
export function deployLevels(input: GraphInput): string[][] {
  const g = graphOf(input);
  const cycles = findCycles(input);
  if (cycles.length) throw new DependencyCycleError(cycles);
  const level = new Map<string, number>();
  const depth = (v: string): number => {
    const known = level.get(v);
    if (known !== undefined) return known;
    const deps = g.get(v) ?? [];
    const d = deps.length ? 1 + Math.max(...deps.map(depth)) : 0;
    level.set(v, d);
    return d;
  };
  const levels: string[][] = [];
  for (const v of g.keys()) (levels[depth(v)] ??= []).push(v);
  return levels.map((l) => l.sort(byName));
}

/** Edges in rollout order: `[dependency, dependent]`, sorted. */
export function edgesOf(input: GraphInput): [string, string][] {
  const edges: [string, string][] = [];
  for (const [v, deps] of graphOf(input)) for (const d of deps) edges.push([d, v]);
  return edges.sort(([a1, b1], [a2, b2]) => byName(a1, a2) || byName(b1, b2));
}

/** Mermaid ids cannot be keywords (`end`) nor contain `-`: `svc_api_gw`, labelled with the name. */
const mermaidId = (name: string) => `svc_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** A Mermaid flowchart, arrows pointing from a dependency to the services rolled out after it. */
export function toMermaid(input: GraphInput): string {
  const lines = ['graph TD'];
  const teams = new Map(nodesOf(input).map((n) => [n.name, n.team]));
  for (const name of graphOf(input).keys()) {
    const team = teams.get(name);
    lines.push(`  ${mermaidId(name)}["${name}${team ? `<br/><small>${team.replace(/"/g, "'")}</small>` : ''}"]`);
  }
  for (const [from, to] of edgesOf(input)) lines.push(`  ${mermaidId(from)} --> ${mermaidId(to)}`);
  return lines.join('\n');
}

const dotId = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A Graphviz digraph with one `rank=same` row per level (levels computed only when there is no cycle). */
export function toDot(input: GraphInput): string {
  const lines = ['digraph delivery {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica"];'];
  for (const name of graphOf(input).keys()) lines.push(`  ${dotId(name)};`);
  for (const [from, to] of edgesOf(input)) lines.push(`  ${dotId(from)} -> ${dotId(to)};`);
  if (!findCycles(input).length) {
    for (const level of deployLevels(input)) if (level.length > 1) lines.push(`  { rank=same; ${level.map(dotId).join('; ')}; }`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** `level 0: db, worker` / `level 1: api (after db, worker)`. */
export function toText(input: GraphInput): string {
  const g = graphOf(input);
  return deployLevels(input)
    .map((level, i) => `level ${i}: ${level.map((v) => (g.get(v)!.length ? `${v} (after ${g.get(v)!.join(', ')})` : v)).join(', ')}`)
    .join('\n');
}
