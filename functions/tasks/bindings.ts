import type { Context } from 'aws-lambda';
import type { DeliveryDeps } from '../../core/delivery/ports.js';
import { analyse, finalize, notify, prepare, promote, rollback, setWeight } from '../../core/delivery/tasks.js';
import { gateResolved, openGate } from '../../core/delivery/gates.js';
import { GateInputSchema, makeTaskHandler } from '../shared/task-handler.js';

/**
 * The state machine's Task resources, by the DefinitionSubstitutions variable that names them in
 * state-machines/canary.asl.json. The stack binds each variable to a Lambda; the local runtime binds it
 * to the same handler, invoked in-process.
 */
export const taskDefinitions = {
  PrepareFunctionArn: { name: 'prepare', task: prepare },
  SetWeightFunctionArn: { name: 'set-weight', task: setWeight },
  AnalyseFunctionArn: { name: 'analyse', task: analyse },
  PromoteFunctionArn: { name: 'promote', task: promote },
  RollbackFunctionArn: { name: 'rollback', task: rollback },
  FinalizeFunctionArn: { name: 'finalize', task: finalize },
  NotifyFunctionArn: { name: 'notify', task: notify },
  /** Invoked by the `.waitForTaskToken` Gate state with a GateInputSchema payload. */
  GateFunctionArn: { name: 'gate', task: openGate, schema: GateInputSchema },
  GateResolvedFunctionArn: { name: 'gate-resolved', task: gateResolved },
} as const;

export type TaskVariable = keyof typeof taskDefinitions;

let invocation = 0;
const noop = () => undefined;
const remaining = () => 60_000;
/** A Lambda-shaped context for in-process invocations (a fresh request id each time). */
export function localContext(functionName: string): Context {
  invocation++;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${process.pid}-${invocation}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remaining,
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

/** Every task as an in-process function `(input) => output`, wrapped exactly as the Lambda is. */
export function localTaskFunctions(deps: () => DeliveryDeps): Record<TaskVariable, (input: never) => Promise<unknown>> {
  const out = {} as Record<TaskVariable, (input: never) => Promise<unknown>>;
  for (const [variable, def] of Object.entries(taskDefinitions) as [TaskVariable, (typeof taskDefinitions)[TaskVariable]][]) {
    const handler = makeTaskHandler(def.name, def.task as never, deps, 'schema' in def ? def.schema : undefined);
    out[variable] = (input: never) => handler(input, localContext(`lumina-${def.name}`));
  }
  return out;
}
