import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { COMMANDS, CommandConflictError, runCommand, type Command } from '../../core/delivery/control.js';
import type { DeliveryDeps, ExecutionControl, ExecutionStarter, RolloutView } from '../../core/delivery/ports.js';
import { startRollbackOf } from '../../core/delivery/trigger.js';
import { HttpError, json, presentRollout } from './http-errors.js';

/**
 * `POST /api/rollouts/{id}/{command}`: promote (`{"full": true}` for promote --full), pause, resume,
 * approve, reject, abort — and rollback (a new rollout back to the revision that was stable before
 * this one). Body `{ "reason": "…" }` (optional). Every command is recorded with its actor.
 */

export interface ControlDeps extends Pick<DeliveryDeps, 'repo' | 'clock' | 'events'> {
  control: ExecutionControl;
  executions: ExecutionStarter;
}

const MAX_BODY = 16 * 1024;
const Body = z.strictObject({ reason: z.string().max(500).optional(), full: z.boolean().optional() });
const ROUTE_COMMANDS = ['promote', 'pause', 'resume', 'approve', 'reject', 'abort', 'rollback'] as const;

/** Who is acting: the IAM principal in AWS; locally the `x-lumina-actor` header (authenticated by the gateway). */
export function actorOf(event: APIGatewayProxyEventV2): string {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn;
  if (iam) return `iam:${iam}`;
  const local = event.headers?.['x-lumina-actor'];
  return local && /^[\w.@:+-]{1,128}$/.test(local) ? `user:${local}` : 'user:anonymous';
}

/** A JSON body validated by `schema` (empty = `{}`): 413, 415, 400 with the path of the first problem. */
export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S, maxBytes: number): z.infer<S> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > maxBytes) throw new HttpError(413, 'PayloadTooLarge', `request bodies are limited to ${maxBytes} bytes`);
  let parsed: unknown = {};
  if (raw.trim()) {
    const type = event.headers?.['content-type'] ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) throw new HttpError(415, 'UnsupportedMediaType', 'send JSON with Content-Type: application/json');
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new HttpError(400, 'MalformedJson', `request body is not valid JSON: ${(e as Error).message}`);
    }
  }
  const r = schema.safeParse(parsed);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new HttpError(400, 'InvalidRequest', `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  }
  return r.data;
}

export async function handleCommand(event: APIGatewayProxyEventV2, deps: ControlDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const id = event.pathParameters?.id ?? '';
  const name = event.pathParameters?.command ?? '';
  if (!(ROUTE_COMMANDS as readonly string[]).includes(name)) {
    throw new HttpError(404, 'UnknownCommand', `no command ${name}; commands are ${ROUTE_COMMANDS.join(', ')}`, { commands: ROUTE_COMMANDS });
  }
  const body = parseJsonBody(event, Body, MAX_BODY);
  const actor = actorOf(event);
  const load = async (rid: string): Promise<RolloutView> => {
    const r = await deps.repo.getRollout(rid);
    if (!r) throw new HttpError(404, 'RolloutNotFound', `no rollout with id ${rid}`);
    return r;
  };
  try {
    if (name === 'rollback') {
      const started = await startRollbackOf(deps, await load(id), actor, body.reason ?? '');
      return json(202, { message: `rolling ${started.service} back to ${started.image}`, rolloutId: started.rolloutId });
    }
    const command: Command = name === 'promote' && body.full ? 'promote-full' : (name as Command);
    if (!(COMMANDS as readonly string[]).includes(command)) throw new HttpError(404, 'UnknownCommand', `no command ${name}`);
    const result = await runCommand(deps, id, command, actor, body.reason ?? '', load);
    return json(200, { message: result.message, rollout: presentRollout({ ...(await load(id)) }) });
  } catch (e) {
    if (e instanceof CommandConflictError) throw new HttpError(409, 'CommandNotApplicable', e.message);
    throw e;
  }
}
