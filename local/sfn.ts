import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExecutionStarter } from '../core/delivery/ports.js';
import type { LocalTaskTokens } from './task-tokens.js';

type Json = Parameters<StateMachine['run']>[0];
export type TaskFn = (input: never) => Promise<unknown>;

export interface ExecutionRecord {
  name: string;
  input: unknown;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startedAt: string;
  stoppedAt?: string;
  output?: unknown;
  error?: string;
  /** States entered, in order (the local stand-in for the execution history). */
  states: string[];
  /** States retried by a Retry field, one entry per retry. */
  retries: string[];
}

/** Replaces `${Name}` placeholders (CloudFormation DefinitionSubstitutions) in an ASL definition. */
export function substitute(definition: object, values: Record<string, string>): object {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (m, name: string) => values[name] ?? m);
  return JSON.parse(text) as object;
}

type StateDef = { Type: string; Resource?: string; Parameters?: { FunctionName?: string } };
const VARIABLE = /^\$\{([A-Za-z0-9]+)\}$/;
const WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * State name → substitution variable of the function it invokes (e.g. `Prepare` → `PrepareFunctionArn`):
 * its Resource, or for a `.waitForTaskToken` state its Parameters.FunctionName.
 */
export function taskResources(definition: { States: Record<string, StateDef> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [state, def] of Object.entries(definition.States)) {
    if (def.Type !== 'Task') continue;
    const m = VARIABLE.exec(def.Resource === WAIT_FOR_TOKEN ? (def.Parameters?.FunctionName ?? '') : (def.Resource ?? ''));
    if (m) out[state] = m[1]!;
  }
  return out;
}

export interface LocalStepFunctionsOptions {
  /** The very ASL JSON deployed to AWS, with `${XFunctionArn}` placeholders. */
  definition: { States: Record<string, StateDef> };
  /** Substitution variable (e.g. `AnalyseFunctionArn`) → the function Step Functions would invoke. */
  functions: Record<string, TaskFn>;
  /** Per-state Wait overrides in ms (tests use 0 with a virtual clock). */
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number>;
  onEvent?: (name: string, what: string) => void;
  /** Issues the task tokens of `.waitForTaskToken` states (required when the definition has any). */
  tokens?: LocalTaskTokens;
}

/**
 * Step Functions on one machine: aws-local-stepfunctions runs the same ASL, with each Task state's
 * Resource bound to the same handler function the Lambda would run. Execution names are unique, as in
 * AWS: starting a name twice is a no-op.
 */
export class LocalStepFunctions implements ExecutionStarter {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, (input: Json) => Promise<Json>> = {};
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<ExecutionRecord> }>();

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    const resources = taskResources(opts.definition);
    const arns: Record<string, string> = {};
    for (const [state, variable] of Object.entries(resources)) {
      const fn = opts.functions[variable];
      if (!fn) throw new Error(`no local function bound to ${variable} (state ${state})`);
      arns[variable] = `arn:aws:lambda:us-east-1:000000000000:function:lumina-${variable.replace(/FunctionArn$/, '')}`;
      if (opts.definition.States[state]!.Resource === WAIT_FOR_TOKEN) {
        const tokens = opts.tokens;
        if (!tokens) throw new Error(`state ${state} waits for a task token: pass \`tokens\``);
        // As Step Functions does: invoke the function with the Payload (carrying a fresh token), ignore
        // its result, and wait until the token is sent back (or the state's TimeoutSecondsPath fires).
        this.handlers[state] = async (input) => {
          const payload = (input as { Payload: Record<string, unknown> }).Payload;
          const { token, outcome } = tokens.issue(Number(payload.timeoutSeconds) || 99_999_999);
          await fn({ ...payload, taskToken: token } as never);
          return (await outcome) as Json;
        };
      } else {
        this.handlers[state] = async (input) => (await fn(input as never)) as Json;
      }
    }
    this.machine = new StateMachine(substitute(opts.definition, arns) as never, { validationOptions: { checkPaths: true, checkArn: true } });
  }

  async start(name: string, input: { rolloutId: string }): Promise<{ alreadyStarted: boolean }> {
    if (this.records.has(name)) return { alreadyStarted: true };
    const record: ExecutionRecord = { name, input, status: 'RUNNING', startedAt: new Date().toISOString(), states: [], retries: [] };
    this.records.set(name, record);
    const execution = this.machine.run(input as Json, {
      overrides: {
        taskResourceLocalHandlers: this.handlers,
        ...(this.opts.waitTimeOverrides ? { waitTimeOverrides: this.opts.waitTimeOverrides } : {}),
        ...(this.opts.retryIntervalOverrides ? { retryIntervalOverrides: this.opts.retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
      // Task.Token is a placeholder for `$$.Task.Token`: the override issues the real one per wait.
      context: { Execution: { Id: name, Name: name, Input: input, StartTime: record.startedAt }, Task: { Token: 'issued-by-the-local-override' } } as never,
    });
    void (async () => {
      try {
        for await (const ev of execution.eventLogs) {
          if (ev.type === 'StateEntered') {
            record.states.push(ev.state.name);
            this.opts.onEvent?.(name, ev.state.name);
          } else if (ev.type === 'StateRetried') {
            record.retries.push(ev.state.name);
          }
        }
      } catch {
        /* the result promise reports the failure */
      }
    })();
    const done = execution.result.then(
      (output) => {
        record.status = output === null ? 'ABORTED' : 'SUCCEEDED';
        if (record.status === 'SUCCEEDED') record.output = output;
        return record;
      },
      (error: Error) => {
        record.status = 'FAILED';
        const cause = error.cause as { name?: string; message?: string } | undefined;
        record.error = cause?.name ? `${cause.name}: ${cause.message ?? ''}` : error.message;
        return record;
      },
    );
    this.running.set(name, {
      abort: execution.abort,
      done: done.finally(() => {
        record.stoppedAt = new Date().toISOString();
        this.running.delete(name);
      }),
    });
    return { alreadyStarted: false };
  }

  /** Resolves when the named execution stops. */
  async wait(name: string): Promise<ExecutionRecord> {
    const run = this.running.get(name);
    if (run) return run.done;
    const rec = this.records.get(name);
    if (!rec) throw new Error(`no execution named ${name}`);
    return rec;
  }

  list(): ExecutionRecord[] {
    return [...this.records.values()];
  }

  get(name: string): ExecutionRecord | undefined {
    return this.records.get(name);
  }

  /** Stops every running execution (shutdown); their rollouts stay in flight and are resumed at next start. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.abort();
    await Promise.all(all.map((r) => r.done));
  }
}
