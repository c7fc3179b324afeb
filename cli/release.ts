import type { Command } from 'commander';
import { ApiError, LuminaClient } from './client.js';

/**
 * `lumina release api=v2 worker=v2 [--reason …]` on the local runtime (registers each image, as `push`
 * does, without an ECR event), or `lumina release api@sha256:… worker@sha256:…` against any deployment:
 * the services roll out in `dependsOn` order, independent ones in parallel. `lumina release --status <id>`.
 */

interface Release {
  releaseId: string;
  status: string;
  levels: string[][];
  level: number;
  failure?: string;
  components: Record<string, { state: string; rolloutId?: string; revision: { image: string } }>;
}

function render(r: Release): string {
  const lines = [`release ${r.releaseId}: ${r.status}${r.failure ? ` — ${r.failure}` : ''}`];
  r.levels.forEach((level, i) => {
    lines.push(`  level ${i + 1}${i === r.level && r.status === 'running' ? ' (current)' : ''}`);
    for (const s of level) {
      const c = r.components[s]!;
      lines.push(`    ${s.padEnd(20)} ${c.state.padEnd(10)} ${c.rolloutId ?? ''}`);
    }
  });
  return lines.join('\n');
}

export function registerReleaseCommand(program: Command) {
  program
    .command('release')
    .description('Roll out several services together, in dependsOn order (independent ones in parallel)')
    .argument('[components...]', 'service=tag (local runtime: registers the image) or service@sha256:<digest>')
    .option('--reason <text>', 'why (recorded)')
    .option('--status <releaseId>', 'show a release instead of starting one')
    .option('--json', 'machine-readable output')
    .action(async (args: string[], o: { reason?: string; status?: string; json?: boolean }) => {
      const client = new LuminaClient(program.opts<{ endpoint: string }>().endpoint);
      const print = (r: Release) => console.log(o.json ? JSON.stringify(r, null, 2) : render(r));
      if (o.status) return print((await client.request<{ release: Release }>('GET', `/api/releases/${encodeURIComponent(o.status)}`)).release);
      if (!args.length) throw new ApiError(400, 'Usage', 'name at least one component: service=tag or service@sha256:<digest>');
      const { services } = await client.request<{ services: { name: string; repository: string }[] }>('GET', '/api/services');
      const components = [];
      for (const arg of args) {
        const m = /^([a-z][a-z0-9-]*)(?:=([\w.-]+)|@(sha256:[a-f0-9]{64}))$/.exec(arg);
        if (!m) throw new ApiError(400, 'Usage', `${arg}: expected service=tag or service@sha256:<digest>`);
        const [, service, tag, digest] = m;
        if (digest) {
          components.push({ service: service!, digest });
          continue;
        }
        // A multi-environment service's push target is its first environment, `<service>.<env>`.
        const target = services.find((s) => s.name === service || s.name.startsWith(`${service}.`));
        if (!target) throw new ApiError(404, 'ServiceNotFound', `no service named ${service}; known: ${services.map((s) => s.name).join(', ')}`);
        const image = await client.request<{ digest: string }>('POST', '/local/images', { repository: target.repository, tag, faultRate: 0, latencyMs: 0 });
        components.push({ service: service!, digest: image.digest, tag: tag! });
      }
      print((await client.request<{ release: Release }>('POST', '/api/releases', { components, ...(o.reason ? { reason: o.reason } : {}) })).release);
    });
}
