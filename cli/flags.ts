import { readFileSync } from 'node:fs';
import { AppConfigClient, CreateHostedConfigurationVersionCommand, StartDeploymentCommand } from '@aws-sdk/client-appconfig';
import type { Command } from 'commander';
import { InvalidFlagsError } from '../core/flags/model.js';
import { loadFlags } from '../core/flags/service.js';
import { ApiError, LuminaClient } from './client.js';

function readDoc(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ApiError(0, 'FileNotFound', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'MalformedJson', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Validates locally, printing every problem with its path; exits 1 when invalid. */
function validate(file: string, json: boolean) {
  const doc = readDoc(file);
  try {
    const loaded = loadFlags(doc);
    if (json) console.log(JSON.stringify({ valid: true, format: loaded.set.format, version: loaded.version, flags: [...loaded.set.flags.keys()] }));
    else console.log(`${file}: valid ${loaded.set.format} flags (${loaded.set.flags.size}): ${[...loaded.set.flags.keys()].join(', ')}`);
    return { doc, loaded };
  } catch (e) {
    if (!(e instanceof InvalidFlagsError)) throw e;
    if (json) console.log(JSON.stringify({ valid: false, format: e.format, issues: e.issues }));
    else console.error(`${file}: ${e.message}`);
    process.exit(1);
  }
}

/** A hosted configuration version with the document, then a deployment of it with the named strategy. */
export async function publishToAppConfig(
  client: AppConfigClient,
  doc: unknown,
  contentVersion: string,
  ids: { application: string; environment: string; profile: string; strategy: string },
): Promise<{ version: number; deployment: { number: number; state: string } }> {
  const created = await client.send(
    new CreateHostedConfigurationVersionCommand({
      ApplicationId: ids.application,
      ConfigurationProfileId: ids.profile,
      ContentType: 'application/json',
      Content: new TextEncoder().encode(JSON.stringify(doc)),
      Description: `lumina flags publish (${contentVersion})`,
    }),
  );
  if (created.VersionNumber === undefined) throw new ApiError(500, 'AppConfigError', 'AppConfig returned no version number');
  const started = await client.send(
    new StartDeploymentCommand({
      ApplicationId: ids.application,
      EnvironmentId: ids.environment,
      ConfigurationProfileId: ids.profile,
      ConfigurationVersion: String(created.VersionNumber),
      DeploymentStrategyId: ids.strategy,
      Description: `flags ${contentVersion}`,
    }),
  );
  return { version: created.VersionNumber, deployment: { number: started.DeploymentNumber ?? 0, state: started.State ?? 'UNKNOWN' } };
}

export function registerFlagCommands(program: Command) {
  const flags = program.command('flags').description('Validate, publish and evaluate feature flags (seed or flagd format)');
  const endpoint = () => program.opts<{ endpoint: string }>().endpoint;

  flags
    .command('validate')
    .description('Validate a flags file; every problem is printed with its exact path (exit 1 if invalid)')
    .argument('<file>', 'flags JSON file')
    .option('--json', 'machine-readable output')
    .action((file: string, o: { json?: boolean }) => {
      validate(file, !!o.json);
    });

  flags
    .command('publish')
    .description('Validate, then publish: locally replace the flags file atomically; with --aws create an AppConfig version and deploy it')
    .argument('<file>', 'flags JSON file')
    .option('--aws', 'publish to AWS AppConfig instead of the local runtime')
    .option('--application <id>', 'AppConfig application id (stack output FlagsApplicationId)')
    .option('--environment <id>', 'AppConfig environment id (FlagsEnvironmentId)')
    .option('--profile <id>', 'AppConfig configuration profile id (FlagsProfileId)')
    .option('--strategy <id>', 'AppConfig deployment strategy id (FlagsDeploymentStrategyId)')
    .action(async (file: string, o: { aws?: boolean; application?: string; environment?: string; profile?: string; strategy?: string }) => {
      const { doc, loaded } = validate(file, false);
      if (!o.aws) {
        const res = await new LuminaClient(endpoint()).request<{ version: string }>('POST', '/local/flags', doc);
        console.log(`published to ${endpoint()}: version ${res.version}`);
        return;
      }
      const missing = (['application', 'environment', 'profile', 'strategy'] as const).filter((k) => !o[k]);
      if (missing.length) throw new ApiError(400, 'MissingOption', `--aws needs ${missing.map((m) => `--${m}`).join(', ')} (see the stack outputs)`);
      const { version, deployment } = await publishToAppConfig(new AppConfigClient({}), doc, loaded.version, {
        application: o.application!,
        environment: o.environment!,
        profile: o.profile!,
        strategy: o.strategy!,
      });
      console.log(`AppConfig version ${version} deploying (deployment ${deployment.number}, state ${deployment.state})`);
    });

  flags
    .command('eval')
    .description('Evaluate one flag through the OFREP endpoint')
    .argument('<key>', 'flag key')
    .option('-k, --targeting-key <key>', 'targeting key (user id)')
    .option('-c, --context <json>', 'evaluation context as JSON', '{}')
    .option('--api-key <key>', 'API key, when the endpoint requires one (or env LUMINA_FLAG_API_KEY)')
    .action(async (key: string, o: { targetingKey?: string; context: string; apiKey?: string }) => {
      let context: Record<string, unknown>;
      try {
        context = JSON.parse(o.context) as Record<string, unknown>;
      } catch (e) {
        throw new ApiError(400, 'InvalidContext', `--context is not valid JSON: ${(e as Error).message}`);
      }
      if (o.targetingKey) context.targetingKey = o.targetingKey;
      const apiKey = o.apiKey ?? process.env.LUMINA_FLAG_API_KEY;
      const res = await fetch(new URL(`/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`, endpoint()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: JSON.stringify({ context }),
      });
      const body = await res.text();
      console.log(body);
      if (!res.ok) process.exitCode = 1;
    });
}
