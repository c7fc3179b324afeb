import { InvalidArgumentError, type Command } from 'commander';
import { ConfigFileError, InvalidConfigError } from '../core/config/errors.js';
import { deployLevels, edgesOf, toDot, toMermaid, toText, type GraphNode } from '../core/config/graph.js';
import { DEFAULT_CONFIG_FILES, findConfigFile, loadDeliveryConfigFile, type LoadedDeliveryConfig } from '../core/config/load.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../core/config/resolve.js';
import type { Step } from '../core/delivery/spec.js';

const FORMATS = ['text', 'mermaid', 'dot'] as const;
type GraphFormat = (typeof FORMATS)[number];
const graphFormat = (v: string): GraphFormat => {
  const f = FORMATS.find((x) => x === v);
  if (!f) throw new InvalidArgumentError(`must be one of ${FORMATS.join(', ')}`);
  return f;
};

/** The file argument, else $LUMINA_CONFIG, else the first lumina.config.* in the current directory. */
function configPath(file: string | undefined): string {
  const path = file || process.env.LUMINA_CONFIG || findConfigFile();
  if (!path) throw new ConfigFileError('', `no config file given and none found here (${DEFAULT_CONFIG_FILES.join(', ')}); pass a file or set LUMINA_CONFIG`);
  return path;
}

/** Loads a config or reports why not (every issue, `path: message`) and sets exit code 1. */
async function load(file: string | undefined, json: boolean): Promise<LoadedDeliveryConfig | null> {
  let path = file ?? '';
  try {
    path = configPath(file);
    return await loadDeliveryConfigFile(path);
  } catch (e) {
    process.exitCode = 1;
    if (e instanceof InvalidConfigError) {
      if (json) console.log(JSON.stringify({ valid: false, file: path, issues: e.issues }));
      else console.error([`${path}: invalid delivery config (${e.issues.length} issue${e.issues.length === 1 ? '' : 's'})`, ...e.issues.map((i) => `${i.path || '(root)'}: ${i.message}`)].join('\n'));
      return null;
    }
    if (e instanceof ConfigFileError) {
      if (json) console.log(JSON.stringify({ valid: false, file: path, error: e.message }));
      else console.error(`lumina: ${e.message}`);
      return null;
    }
    throw e;
  }
}

const nodesOf = (loaded: LoadedDeliveryConfig): GraphNode[] =>
  Object.values(loaded.config.services).map((s) => ({ name: s.name, dependsOn: s.dependsOn, team: s.team }));

function validate(loaded: LoadedDeliveryConfig, json: boolean) {
  const services = Object.values(loaded.config.services);
  const environments = services.reduce((n, s) => n + s.environments.length, 0);
  if (json) {
    const envs = Object.fromEntries(services.map((s) => [s.name, s.environments.map((e) => e.name)]));
    console.log(JSON.stringify({ valid: true, file: loaded.path, format: loaded.format, configVersion: loaded.configVersion, services: services.length, environments: envs, levels: deployLevels(nodesOf(loaded)) }));
  } else {
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    console.log(`${loaded.path}: valid, ${plural(services.length, 'service')}, ${plural(environments, 'environment')}, configVersion ${loaded.configVersion}`);
  }
}

function graph(loaded: LoadedDeliveryConfig, format: GraphFormat, json: boolean) {
  const nodes = nodesOf(loaded);
  if (json) {
    const edges = edgesOf(nodes).map(([from, to]) => ({ from, to }));
    console.log(JSON.stringify({ configVersion: loaded.configVersion, levels: deployLevels(nodes), edges, format, diagram: render(nodes, format) }));
  } else console.log(render(nodes, format));
}

const render = (nodes: GraphNode[], format: GraphFormat) => (format === 'mermaid' ? toMermaid(nodes) : format === 'dot' ? toDot(nodes) : toText(nodes));

const stepText = (s: Step) =>
  s.kind === 'setWeight' ? `${s.weight}%` : s.kind === 'analysis' ? `analyse ${s.seconds}s` : s.kind === 'wait' ? `wait ${s.seconds}s` : s.kind === 'testRoute' ? `test route ${s.enabled ? 'on' : 'off'}` : s.kind;

function describe(r: ResolvedEnvironment): string {
  const order = [r.previous && `after ${r.previous}`, r.next && `then ${r.next}`].filter(Boolean).join(', ');
  const a = r.approval;
  const sec = r.security;
  return [
    `${r.service} in ${r.environment}${order ? ` (${order})` : ''}: repository ${r.repository}, configVersion ${r.configVersion}`,
    `  strategy: ${r.strategy.kind}: ${r.spec.steps.map(stepText).join(' → ')}`,
    `  approval: ${a.required ? `required, timeout ${a.timeoutSeconds}s, on timeout ${a.onTimeout}${a.approvers ? `, approvers ${a.approvers.join(', ')}` : ''}` : 'none'}`,
    `  router: ${r.router.kind}`,
    `  notify: ${r.notify.map((n) => n.kind).join(', ') || 'none'}`,
    `  security: ${sec.enabled ? `maxCritical ${sec.maxCritical}, maxHigh ${sec.maxHigh ?? 'unlimited'}, onMissing ${sec.onMissing}${sec.ignore.length ? `, ignore ${sec.ignore.join(', ')}` : ''}` : 'disabled'}`,
    ...(r.dependsOn.length ? [`  dependsOn: ${r.dependsOn.join(', ')}`] : []),
  ].join('\n');
}

export function registerConfigCommands(program: Command) {
  const config = program.command('config').description('Validate and inspect the delivery configuration (YAML, JSON or TypeScript)');
  const fileArg = ['[file]', `config file (default: $LUMINA_CONFIG, else ${DEFAULT_CONFIG_FILES.join(' / ')} here)`] as const;

  config
    .command('validate')
    .description('Validate a delivery config: every problem with its exact path (exit 1 if invalid)')
    .argument(...fileArg)
    .option('--json', 'machine-readable output')
    .action(async (file: string | undefined, o: { json?: boolean }) => {
      const loaded = await load(file, !!o.json);
      if (loaded) validate(loaded, !!o.json);
    });

  const graphCommand = (cmd: Command) =>
    cmd
      .description('Show the service dependency graph: rollout levels (text), Mermaid or Graphviz DOT')
      .argument(...fileArg)
      .option('-f, --format <format>', `one of ${FORMATS.join(', ')}`, graphFormat, 'text' as GraphFormat)
      .option('--json', 'machine-readable output (levels, edges and the diagram)')
      .action(async (file: string | undefined, o: { format: GraphFormat; json?: boolean }) => {
        const loaded = await load(file, !!o.json);
        if (loaded) graph(loaded, o.format, !!o.json);
      });
  graphCommand(config.command('graph'));
  graphCommand(program.command('graph'));

  config
    .command('resolve')
    .description("Show a service's settings in one environment (default: its first), as a rollout would use them")
    .argument('<service>', 'service name')
    .argument('[environment]', 'environment name')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'machine-readable output')
    .action(async (service: string, environment: string | undefined, o: { config?: string; json?: boolean }) => {
      const loaded = await load(o.config, !!o.json);
      if (!loaded) return;
      const resolved = resolveEnvironment(loaded.config, service, environment);
      console.log(o.json ? JSON.stringify(resolved, null, 2) : describe(resolved));
    });
}
