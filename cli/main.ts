import { Command, InvalidArgumentError } from 'commander';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ApiError, LuminaClient } from './client.js';
import { registerConfigCommands } from './config.js';
import { registerControlCommands } from './control.js';
import { registerReleaseCommand } from './release.js';
import { registerFlagCommands } from './flags.js';
import { renderRollout, TERMINAL_PHASES, type RolloutDoc } from './render.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // pinned SDK versions support node 20

const DEFAULT_ENDPOINT = process.env.LUMINA_ENDPOINT ?? `http://127.0.0.1:${process.env.LUMINA_PORT ?? 4000}`;

const rate = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number between 0 and 1');
  return n;
};
const nonNegativeInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
};

interface ServiceDoc {
  name: string;
  repository: string;
}

async function findService(client: LuminaClient, name: string): Promise<ServiceDoc> {
  const { services } = await client.request<{ services: ServiceDoc[] }>('GET', '/api/services');
  const svc = services.find((s) => s.name === name || s.repository === name);
  if (!svc) throw new ApiError(404, 'ServiceNotFound', `no service named ${name}; known services: ${services.map((s) => s.name).join(', ') || '(none)'}`);
  return svc;
}

async function latestRollout(client: LuminaClient, service: string): Promise<RolloutDoc | null> {
  const { rollouts } = await client.request<{ rollouts: RolloutDoc[] }>('GET', `/api/rollouts?service=${encodeURIComponent(service)}&limit=1`);
  const first = rollouts[0];
  return first ? client.request<RolloutDoc>('GET', `/api/rollouts/${encodeURIComponent(first.rolloutId)}`) : null;
}

/** Follows a rollout until it ends; exit code 0 only if it was promoted (CI can gate on it). */
async function watch(client: LuminaClient, service: string, opts: { json?: boolean; since?: string }): Promise<number> {
  const tty = process.stdout.isTTY === true;
  let lastText = '';
  for (;;) {
    const r = await latestRollout(client, service);
    if (r && (!opts.since || r.createdAt >= opts.since)) {
      const text = opts.json ? JSON.stringify(r) : renderRollout(r, tty);
      if (text !== lastText) {
        if (tty && !opts.json && lastText) process.stdout.write(`\u001b[${lastText.split('\n').length}A\u001b[0J`);
        process.stdout.write(`${text}\n`);
        lastText = text;
      }
      if (TERMINAL_PHASES.has(r.phase)) return r.phase === 'Healthy' ? 0 : 2;
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

const program = new Command()
  .name('lumina')
  .description('Lumina Deploy: progressive delivery for container images on AWS (and on this machine).')
  .option('--endpoint <url>', 'Lumina API endpoint', DEFAULT_ENDPOINT)
  .showHelpAfterError();

program
  .command('push')
  .description('Push a new image of a local service (demo) and emit the ECR "Image Action" event that starts a rollout')
  .argument('<service>', 'service (or repository) name, e.g. demo')
  .requiredOption('-t, --tag <tag>', 'image tag, e.g. v2')
  .option('--fault-rate <0..1>', 'fraction of requests the new image answers with HTTP 500', rate, 0)
  .option('--latency-ms <ms>', 'latency the new image adds to every request', nonNegativeInt, 0)
  .option('--watch', 'follow the rollout until it ends (exit code 2 if not promoted)')
  .option('--json', 'machine-readable output')
  .action(async (service: string, o: { tag: string; faultRate: number; latencyMs: number; watch?: boolean; json?: boolean }) => {
    const client = new LuminaClient(program.opts<{ endpoint: string }>().endpoint);
    const svc = await findService(client, service);
    const image = await client.request<{ digest: string; account: string; region: string }>('POST', '/local/images', {
      repository: svc.repository,
      tag: o.tag,
      faultRate: o.faultRate,
      latencyMs: o.latencyMs,
    });
    // The push arrives as ECR would send it, through the real EventBridge PutEvents protocol.
    const eb = new EventBridgeClient({ endpoint: client.endpoint, region: image.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const sentAt = new Date().toISOString();
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ecr',
            DetailType: 'ECR Image Action',
            Resources: [],
            Detail: JSON.stringify({ 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': svc.repository, 'image-digest': image.digest, 'image-tag': o.tag }),
          },
        ],
      }),
    );
    eb.destroy();
    const entry = out.Entries?.[0];
    if (!entry?.EventId) throw new ApiError(400, entry?.ErrorCode ?? 'PutEventsFailed', entry?.ErrorMessage ?? 'the event was not accepted');
    if (o.json) console.log(JSON.stringify({ service: svc.name, repository: svc.repository, tag: o.tag, digest: image.digest, eventId: entry.EventId }));
    else console.log(`pushed ${svc.repository}:${o.tag} (${image.digest.slice(0, 19)}…) → ECR Image Action event ${entry.EventId}`);
    if (o.watch) {
      await new Promise((r) => setTimeout(r, 500));
      process.exitCode = await watch(client, svc.name, { json: !!o.json, since: sentAt.slice(0, 19) });
    } else if (!o.json) console.log(`follow it: npm run lumina -- status ${svc.name} --watch`);
  });

program
  .command('status')
  .description("Show a service's latest rollout: phase, step, weights, last analysis and why it stopped")
  .argument('<service>', 'service name')
  .option('-w, --watch', 'refresh until the rollout ends (exit code 2 if not promoted)')
  .option('--json', 'machine-readable output')
  .action(async (service: string, o: { watch?: boolean; json?: boolean }) => {
    const client = new LuminaClient(program.opts<{ endpoint: string }>().endpoint);
    await findService(client, service);
    if (o.watch) {
      process.exitCode = await watch(client, service, { json: !!o.json });
      return;
    }
    const r = await latestRollout(client, service);
    if (!r) {
      console.log(o.json ? 'null' : `no rollouts yet for ${service}`);
      return;
    }
    console.log(o.json ? JSON.stringify(r, null, 2) : renderRollout(r, process.stdout.isTTY === true));
  });

registerControlCommands(program);
registerReleaseCommand(program);
registerFlagCommands(program);
registerConfigCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ApiError) {
    console.error(`lumina: ${e.message}`);
    process.exit(e.status === 0 ? 3 : 1);
  }
  console.error(`lumina: ${(e as Error).message}`);
  process.exit(1);
});
