import { describe, expect, it } from 'vitest';
import { DependencyCycleError, deployLevels, edgesOf, findCycles, formatCycle, toDot, toMermaid, toText, type GraphNode } from '../../core/config/graph.js';

const g = (deps: Record<string, string[]>): GraphNode[] => Object.entries(deps).map(([name, dependsOn]) => ({ name, dependsOn }));

describe('deployLevels', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['independent services share level 0, sorted by name', { web: [], api: [], db: [] }, [['api', 'db', 'web']]],
    ['a chain gives one service per level', { api: ['worker'], worker: ['db'], db: [] }, [['db'], ['worker'], ['api']]],
    ['a diamond: both middles in parallel', { top: ['left', 'right'], left: ['base'], right: ['base'], base: [] }, [['base'], ['left', 'right'], ['top']]],
    ['a service waits for its deepest dependency', { api: ['db', 'worker'], worker: ['db'], db: [], cron: [] }, [['cron', 'db'], ['worker'], ['api']]],
    ['input order does not matter', { c: ['a'], b: [], a: [] }, [['a', 'b'], ['c']]],
  ])('%s', (_name, deps, levels) => {
    expect(deployLevels(g(deps))).toEqual(levels);
  });

  it('accepts a record of services as the config holds them', () => {
    expect(deployLevels({ api: { dependsOn: ['db'] }, db: { dependsOn: [] } })).toEqual([['db'], ['api']]);
  });

  it('throws DependencyCycleError naming the cycle', () => {
    expect(() => deployLevels(g({ api: ['worker'], worker: ['api'] }))).toThrow(DependencyCycleError);
    expect(() => deployLevels(g({ api: ['worker'], worker: ['api'] }))).toThrow('dependency cycle: api → worker → api');
  });
});

describe('findCycles', () => {
  it.each<[string, Record<string, string[]>, string[]]>([
    ['a 2-cycle, from its alphabetically first service', { worker: ['api'], api: ['worker'] }, ['api → worker → api']],
    ['a 3-cycle, in dependency order', { c: ['a'], a: ['b'], b: ['c'] }, ['a → b → c → a']],
    ['a 3-cycle the other way round', { a: ['c'], c: ['b'], b: ['a'] }, ['a → c → b → a']],
    ['a self-dependency', { api: ['api'], db: [] }, ['api → api']],
    ['two separate cycles', { a: ['b'], b: ['a'], x: ['y'], y: ['z'], z: ['x'], ok: ['a'] }, ['a → b → a', 'x → y → z → x']],
    ['the shortest cycle through the first service of a tangle', { a: ['b', 'c'], b: ['c'], c: ['a'] }, ['a → c → a']],
    ['none in a DAG', { api: ['db'], db: [] }, []],
  ])('%s', (_name, deps, cycles) => {
    expect(findCycles(g(deps)).map(formatCycle)).toEqual(cycles);
  });
});

describe('diagrams', () => {
  const shop = [
    { name: 'api', dependsOn: ['payments', 'catalog'], team: 'storefront' },
    { name: 'catalog', dependsOn: [] },
    { name: 'payments', dependsOn: [] },
    { name: 'end', dependsOn: ['api'] },
  ];

  it('edges point from a dependency to what rolls out after it', () => {
    expect(edgesOf(shop)).toEqual([
      ['api', 'end'],
      ['catalog', 'api'],
      ['payments', 'api'],
    ]);
  });

  it('Mermaid: graph TD, safe ids (even for the keyword end), names and teams as labels', () => {
    expect(toMermaid(shop)).toBe(
      [
        'graph TD',
        '  svc_api["api<br/><small>storefront</small>"]',
        '  svc_catalog["catalog"]',
        '  svc_end["end"]',
        '  svc_payments["payments"]',
        '  svc_api --> svc_end',
        '  svc_catalog --> svc_api',
        '  svc_payments --> svc_api',
      ].join('\n'),
    );
  });

  it('Mermaid ids of hyphenated names use underscores', () => {
    expect(toMermaid(g({ 'api-gw': ['auth-svc'], 'auth-svc': [] }))).toContain('svc_auth_svc --> svc_api_gw');
  });

  it('DOT: a digraph with quoted names and one rank per parallel level', () => {
    expect(toDot(shop)).toBe(
      [
        'digraph delivery {',
        '  rankdir=TB;',
        '  node [shape=box, fontname="Helvetica"];',
        '  "api";',
        '  "catalog";',
        '  "end";',
        '  "payments";',
        '  "api" -> "end";',
        '  "catalog" -> "api";',
        '  "payments" -> "api";',
        '  { rank=same; "catalog"; "payments"; }',
        '}',
      ].join('\n'),
    );
  });

  it('DOT still draws a graph with a cycle (no ranks)', () => {
    expect(toDot(g({ a: ['b'], b: ['a'] }))).toContain('"a" -> "b";\n  "b" -> "a";\n}');
  });

  it('text: one line per level with what each service waits for', () => {
    expect(toText(shop)).toBe(['level 0: catalog, payments', 'level 1: api (after catalog, payments)', 'level 2: end (after api)'].join('\n'));
  });
});
