import { findCycles, formatCycle } from './graph.js';
import { KNOWN_KEYS } from './schema.js';
import type { RawIssue } from './secrets.js';

/**
 * Checks that span fields or services, run on the RAW input so that they report alongside the schema's
 * issues (an invalid config is rejected with every problem at once). Each check skips what the schema
 * already rejects for its shape.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));

/** Canary stages: each strictly above the one before (naming it), the last one 100. */
export function stageIssues(stages: unknown, path: PropertyKey[]): RawIssue[] {
  if (!isNumbers(stages) || stages.length === 0) return [];
  const issues: RawIssue[] = [];
  stages.forEach((w, i) => {
    if (i > 0 && w <= stages[i - 1]!) issues.push({ path: [...path, i], message: `must be > ${stages[i - 1]}` });
  });
  const last = stages.length - 1;
  if (stages[last] !== 100) issues.push({ path: [...path, last], message: `the last stage must be 100 (got ${stages[last]})` });
  return issues;
}

/** The strategy-bearing places of a service or environment: `strategy` (canary kind) and `canary`. */
function settingsIssues(node: Obj, path: PropertyKey[]): RawIssue[] {
  const issues: RawIssue[] = [];
  if (isObj(node.strategy) && node.strategy.kind === 'canary') issues.push(...stageIssues(node.strategy.stages, [...path, 'strategy', 'stages']));
  if (isObj(node.canary)) issues.push(...stageIssues(node.canary.stages, [...path, 'canary', 'stages']));
  if (node.strategy !== undefined && node.canary !== undefined) {
    issues.push({ path: [...path, 'canary'], message: 'use either strategy or canary (the shorthand for a canary strategy), not both' });
  }
  return issues;
}

function serviceIssues(name: string, svc: Obj, names: Set<string>): RawIssue[] {
  const at = ['services', name];
  const issues = settingsIssues(svc, at);
  const envs = Array.isArray(svc.environments) ? svc.environments : undefined;
  if (envs && svc.environment !== undefined) {
    issues.push({ path: [...at, 'environment'], message: 'use either environment (one environment) or environments (a list), not both' });
  }
  if (envs) {
    const seen = new Set<string>();
    envs.forEach((env, i) => {
      if (!isObj(env)) return;
      const envName = typeof env.name === 'string' ? env.name : undefined;
      if (envName !== undefined && seen.has(envName)) issues.push({ path: [...at, 'environments', i, 'name'], message: `environment ${envName} is listed twice` });
      if (envName !== undefined) seen.add(envName);
      issues.push(...settingsIssues(env, [...at, 'environments', i]));
      if (env.router === undefined && svc.router === undefined) {
        issues.push({ path: [...at, 'environments', i, 'router'], message: 'required: set router on the environment or on the service' });
      }
    });
  } else if (svc.router === undefined) {
    issues.push({ path: [...at, 'router'], message: 'required' });
  }
  if (Array.isArray(svc.dependsOn)) {
    const dups = new Set<string>();
    svc.dependsOn.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      if (dep === name) issues.push({ path: [...at, 'dependsOn', i], message: 'a service cannot depend on itself' });
      else if (!names.has(dep)) issues.push({ path: [...at, 'dependsOn', i], message: `unknown service ${dep}${hint(dep, [...names])}` });
      else if (dups.has(dep)) issues.push({ path: [...at, 'dependsOn', i], message: `${dep} is listed twice` });
      dups.add(dep);
    });
  }
  return issues;
}

/** All cross-field and cross-service checks of a raw config. */
export function semanticIssues(raw: unknown): RawIssue[] {
  if (!isObj(raw) || !isObj(raw.services)) return [];
  const services = Object.entries(raw.services).filter((e): e is [string, Obj] => isObj(e[1]));
  const names = new Set(services.map(([n]) => n));
  const issues = services.flatMap(([name, svc]) => serviceIssues(name, svc, names));

  const repos = new Map<string, string>();
  for (const [name, svc] of services) {
    if (typeof svc.repository !== 'string') continue;
    const other = repos.get(svc.repository);
    if (other) issues.push({ path: ['services', name, 'repository'], message: `repository ${svc.repository} is already mapped to service ${other}` });
    else repos.set(svc.repository, name);
  }

  // Cycles over known, non-self edges (unknown targets and self-dependencies are reported above).
  const graph = services.map(([name, svc]) => ({
    name,
    dependsOn: Array.isArray(svc.dependsOn) ? svc.dependsOn.filter((d): d is string => typeof d === 'string' && d !== name && names.has(d)) : [],
  }));
  for (const cycle of findCycles(graph)) issues.push({ path: ['services', cycle[0]!, 'dependsOn'], message: `dependency cycle: ${formatCycle(cycle)}` });
  return issues;
}

/** ` (did you mean environments?)` when a known word is within two edits. */
export function hint(word: string, known: readonly string[] = KNOWN_KEYS): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of new Set(known)) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best && best !== word ? ` (did you mean ${best}?)` : '';
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * A path for people: environments by NAME (`environments.prod`) rather than index, when the name is
 * present and unique in its list; everything else as `a.b[2].c`.
 */
export function displayPath(path: readonly PropertyKey[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  path.forEach((seg, i) => {
    const parent = path[i - 1];
    let text = typeof seg === 'number' ? `[${seg}]` : `${out ? '.' : ''}${String(seg)}`;
    if (typeof seg === 'number' && parent === 'environments' && Array.isArray(node)) {
      const env = node[seg];
      const name = isObj(env) && typeof env.name === 'string' ? env.name : undefined;
      if (name && node.filter((e) => isObj(e) && e.name === name).length === 1) text = `.${name}`;
    }
    out += text;
    node = Array.isArray(node) && typeof seg === 'number' ? node[seg] : isObj(node) ? node[String(seg)] : undefined;
  });
  return out;
}
