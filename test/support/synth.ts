import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { App, getStack, type Stack } from 'sst/constructs';
import { useFunctions } from 'sst/constructs/Function.js';
import { expect } from 'vitest';
import sstConfig from '../../sst.config.js';
import { Delivery } from '../../stacks/Delivery.js';

/*
 * How this synthesizes without `sst build`:
 * - initProject({ root, stage }) loads sst.config.ts the way the CLI does (its config() only) and sets
 *   the project SST's constructs read (paths, stage, ssm prefix);
 * - a programmatic `new App({ mode: 'deploy', ... })` gets the stacks from sst.config.ts's stacks();
 * - app.finish() is NOT called: SST bundles functions in deferred tasks that only finish() runs, so
 *   each Function keeps SST's inline placeholder code and nothing is bundled (SST's documented pattern
 *   for stack tests). NODE_ENV=test makes App.isRunningSSTTest() true, which is what lets finish()
 *   skip its bootstrap lookup in the one test that does call it (with the build step stubbed).
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = 'test/fixtures/config';
export const ALB_CONFIG = `${FIXTURES}/alb.config.json`;
export const ACCOUNT = '123456789012';

/** CloudFormation JSON, walked loosely. */
export type Json = any;
type SstCfnElement = Parameters<Stack['getLogicalId']>[0];
export interface Synth {
  app: App;
  stack: Stack;
  template: Template;
  resources: Record<string, { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  /** Logical id of the SST Function with this handler. */
  fnId: (handler: string) => string;
  /** Merged SST props of the Function with this handler (what the deferred build uses). */
  fnProps: (handler: string) => Json;
}

export async function synth(opts: { stage?: string; config?: string; finish?: boolean } = {}): Promise<Synth> {
  const previous = process.env.LUMINA_CONFIG;
  if (opts.config) process.env.LUMINA_CONFIG = opts.config;
  else delete process.env.LUMINA_CONFIG;
  try {
    const app = new App({ mode: 'deploy', stage: opts.stage ?? 'test', name: 'lumina-deploy', region: 'us-east-1', account: ACCOUNT });
    await sstConfig.stacks(app);
    if (opts.finish) await app.finish();
    const stack = getStack(Delivery);
    // aws-cdk-lib/assertions is the project's CDK copy; sst's Stack is typed by its own (see stacks/Delivery.ts).
    const template = Template.fromStack(stack);
    const byHandler = new Map(stack.getAllFunctions().map((f) => [useFunctions().fromID(f.node.addr)?.handler, f]));
    const fn = (handler: string) => {
      const f = byHandler.get(handler);
      if (!f) throw new Error(`no function with handler ${handler}`);
      return f;
    };
    return {
      app,
      stack,
      template,
      resources: template.toJSON().Resources,
      fnId: (handler) => stack.getLogicalId(fn(handler).node.defaultChild as SstCfnElement),
      fnProps: (handler) => useFunctions().fromID(fn(handler).node.addr),
    };
  } finally {
    if (previous === undefined) delete process.env.LUMINA_CONFIG;
    else process.env.LUMINA_CONFIG = previous;
  }
}

export const ofType = (s: Synth, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);
export const single = (s: Synth, type: string) => {
  const found = ofType(s, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
export const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy statement anywhere in the template (identity, resource and trust policies). */
export function allStatements(value: Json, out: Json[] = []): Json[] {
  if (Array.isArray(value)) value.forEach((v) => allStatements(v, out));
  else if (value && typeof value === 'object') {
    if (Array.isArray(value.Statement)) out.push(...value.Statement);
    Object.values(value).forEach((v) => allStatements(v, out));
  }
  return out;
}

/** Identity statements of a function's execution role (inline and attached AWS::IAM::Policy). */
export function roleStatements(s: Synth, fnLogicalId: string): Json[] {
  const role = s.resources[fnLogicalId]!.Properties.Role['Fn::GetAtt'][0] as string;
  return statementsOfRole(s, role);
}
export function statementsOfRole(s: Synth, role: string): Json[] {
  const attached = ofType(s, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const inline = asArray(s.resources[role]!.Properties.Policies).flatMap((p: Json) => p.PolicyDocument.Statement);
  return [...attached, ...inline];
}
export const actionsOf = (statements: Json[]) => new Set(statements.flatMap((st) => asArray<string>(st.Action)));
export const withAction = (statements: Json[], action: string) => statements.filter((st) => asArray(st.Action).includes(action));

/** Renders an Fn::Join of strings and Refs into one string, Refs as {{Ref:LogicalId}}. */
export function renderJoin(value: Json): string {
  if (typeof value === 'string') return value;
  const [sep, parts] = value['Fn::Join'] as [string, Json[]];
  return parts.map((p) => (typeof p === 'string' ? p : `{{Ref:${p.Ref}}}`)).join(sep);
}

