import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ApiError, LuminaClient } from './client.js';
import { renderRollout, type RolloutDoc } from './render.js';

/**
 * Manual control: `lumina promote|pause|resume|approve|reject|abort|rollback <rollout-or-service>`.
 * A service name means that service's latest rollout. Every command is recorded with the actor
 * (`--as`, default the OS user) and `--reason`. A command that does not apply exits 1 with the
 * server's reason (HTTP 409), e.g. "no approval gate is pending (step 3/11 is a analysis step)".
 */

interface Options {
  reason?: string;
  as?: string;
  json?: boolean;
  full?: boolean;
}

const COMMANDS: { name: string; summary: string }[] = [
  { name: 'promote', summary: 'End the current pause or analysis step now (--full: skip every remaining step; never bypasses an approval gate)' },
  { name: 'pause', summary: 'Pause after the current step; traffic stays where it is' },
  { name: 'resume', summary: 'Resume a paused rollout' },
  { name: 'approve', summary: 'Approve the pending approval gate' },
  { name: 'reject', summary: 'Reject the pending approval gate: the rollout rolls back' },
  { name: 'abort', summary: 'Send all traffic back to the stable version now; the rollout ends aborted' },
  { name: 'rollback', summary: 'Roll a service back to the revision that was stable before this (promoted) rollout' },
];

/** A rollout id, or a service name → its latest rollout. */
async function resolveRollout(client: LuminaClient, target: string): Promise<string> {
  try {
    return (await client.request<RolloutDoc>('GET', `/api/rollouts/${encodeURIComponent(target)}`)).rolloutId;
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
  }
  const { services } = await client.request<{ services: { name: string }[] }>('GET', '/api/services');
  if (!services.some((s) => s.name === target)) {
    throw new ApiError(404, 'NotFound', `${target} is neither a rollout id nor a service; known services: ${services.map((s) => s.name).join(', ') || '(none)'}`);
  }
  const { rollouts } = await client.request<{ rollouts: RolloutDoc[] }>('GET', `/api/rollouts?service=${encodeURIComponent(target)}&limit=1`);
  if (!rollouts[0]) throw new ApiError(404, 'NotFound', `service ${target} has no rollouts yet`);
  return rollouts[0].rolloutId;
}

export function registerControlCommands(program: Command) {
  for (const c of COMMANDS) {
    const cmd = program
      .command(c.name)
      .description(c.summary)
      .argument('<rollout>', 'rollout id, or a service name for its latest rollout')
      .option('--reason <text>', 'why (recorded in the audit log)')
      .option('--as <actor>', 'who is acting (recorded; the local runtime trusts it, AWS uses your IAM identity)', userInfo().username)
      .option('--json', 'machine-readable output');
    if (c.name === 'promote') cmd.option('--full', 'skip every remaining step and promote now');
    cmd.action(async (target: string, o: Options) => {
      const { endpoint } = program.opts<{ endpoint: string }>();
      const client = new LuminaClient(endpoint, o.as ? { 'x-lumina-actor': o.as } : {});
      const id = await resolveRollout(client, target);
      const body = { ...(o.reason ? { reason: o.reason } : {}), ...(o.full ? { full: true } : {}) };
      const r = await client.request<{ message: string; rollout?: RolloutDoc; rolloutId?: string }>('POST', `/api/rollouts/${encodeURIComponent(id)}/${c.name}`, body);
      if (o.json) return console.log(JSON.stringify(r, null, 2));
      console.log(`${c.name}: ${r.message}`);
      if (r.rollout) console.log(renderRollout(r.rollout, process.stdout.isTTY === true));
      if (r.rolloutId) console.log(`follow it with: lumina status ${r.rolloutId.split('-rollback-')[0]} --watch`);
    });
  }
}
