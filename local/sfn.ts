import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExecutionStarter } from '../core/delivery/ports.js';

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

/** State name → substitution variable of its Resource (e.g. `Prepare` → `PrepareFunctionArn`). */
export function taskResources(definition: { States: Record<string, { Type: string; Resource?: string }> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [state, def] of Object.entries(definition.States)) {
    const m = def.Type === 'Task' ? /^\$\{([A-Za-z0-9]+)\}$/.exec(def.Resource ?? '') : null;
    if (m) out[state] = m[1]!;
  }
  return out;
}

export interface LocalStepFunctionsOptions {
  /** The very ASL JSON deployed to AWS, with `${XFunctionArn}` placeholders. */
  definition: { States: Record<string, { Type: string; Resource?: string }> };
  /** Substitution variable (e.g. `AnalyseFunctionArn`) → the function Step Functions would invoke. */
  functions: Record<string, TaskFn>;
  /** Per-state Wait overrides in ms (tests use 0 with a virtual clock). */
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number>;
  onEvent?: (name: string, what: string) => void;
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
      this.handlers[state] = async (input) => (await fn(input as never)) as Json;
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
      context: { Execution: { Id: name, Name: name, Input: input, StartTime: record.startedAt } } as never,
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
