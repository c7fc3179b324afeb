import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { substitute, taskResources } from '../../local/sfn.js';
import { taskDefinitions } from '../../functions/tasks/bindings.js';

type State = { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { ErrorEquals: string[]; Next: string }[]; Retry?: { ErrorEquals: string[] }[]; End?: boolean; Resource?: string };
const raw = JSON.parse(readFileSync(new URL('../../state-machines/canary.asl.json', import.meta.url), 'utf8')) as { StartAt: string; States: Record<string, State> };
const arns = Object.fromEntries(Object.keys(taskDefinitions).map((v) => [v, `arn:aws:lambda:us-east-1:123456789012:function:lumina-${v}`]));

describe('state-machines/canary.asl.json', () => {
  it('is valid Amazon States Language (asl-validator) once its substitutions are bound', () => {
    const result = aslValidator(substitute(raw, arns), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('binds exactly the task variables the handlers provide', () => {
    expect(new Set(Object.values(taskResources(raw)))).toEqual(new Set(Object.keys(taskDefinitions)));
  });

  it('uses JSONPath only (the local runner ignores JSONata and Variables)', () => {
    const text = JSON.stringify(raw);
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
  });

  it('sends every error of every traffic-touching task to Rollback, after retrying', () => {
    for (const name of ['Prepare', 'SetWeight', 'Analyse', 'Promote']) {
      const s = raw.States[name]!;
      expect(s.Retry?.some((r) => r.ErrorEquals.includes('States.ALL')), `${name} retries`).toBe(true);
      expect(s.Catch, `${name} catches`).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rollback' }]);
    }
    expect(raw.States.Rollback!.Catch?.[0]?.Next).toBe('Finalize');
  });

  it('has no dead ends: every state is reachable and every path ends in Succeeded or NotPromoted', () => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const s = raw.States[name]!;
      for (const n of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)]) if (n) visit(n);
    };
    visit(raw.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(raw.States).sort());
    const terminals = Object.entries(raw.States).filter(([, s]) => s.Type === 'Succeed' || s.Type === 'Fail' || s.End);
    expect(terminals.map(([n]) => n).sort()).toEqual(['NotPromoted', 'Succeeded']);
  });
});
