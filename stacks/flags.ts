import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Stack } from 'aws-cdk-lib';

/** Name of the AppConfig deployment strategy `lumina flags publish --aws` uses by default. */
export const FLAGS_DEPLOYMENT_STRATEGY = 'lumina-flags-canary-10min';

/**
 * Flags hosted in AppConfig: application, environment (per stage), a freeform JSON configuration
 * profile guarded by a JSON Schema validator, a named deployment strategy, and an initial version
 * (`LUMINA_FLAGS` / `flags.json` at the repo root if present, else an empty document) so handlers
 * have something to serve from the first request.
 */
export function addFlagsConfig(stack: Stack, stage: string, root: string) {
  const application = new appconfig.CfnApplication(stack, 'FlagsApp', { name: `lumina-${stage}`, description: 'Lumina feature flags' });
  const environment = new appconfig.CfnEnvironment(stack, 'FlagsEnv', { applicationId: application.ref, name: stage });
  const schema = readFileSync(path.join(root, 'core/flags/document.schema.json'), 'utf8');
  const profile = new appconfig.CfnConfigurationProfile(stack, 'FlagsProfile', {
    applicationId: application.ref,
    name: 'flags',
    locationUri: 'hosted',
    type: 'AWS.Freeform',
    validators: [{ type: 'JSON_SCHEMA', content: schema }],
  });
  const strategy = new appconfig.CfnDeploymentStrategy(stack, 'FlagsStrategy', {
    name: `${FLAGS_DEPLOYMENT_STRATEGY}-${stage}`,
    deploymentDurationInMinutes: 10,
    growthFactor: 20,
    growthType: 'LINEAR',
    finalBakeTimeInMinutes: 5,
    replicateTo: 'NONE',
  });
  const file = process.env.LUMINA_FLAGS ?? path.join(root, 'flags.json');
  const initial = existsSync(file) ? readFileSync(file, 'utf8') : JSON.stringify({ flags: {}, values: {} });
  const version = new appconfig.CfnHostedConfigurationVersion(stack, `FlagsInitial${createHash('sha256').update(initial).digest('hex').slice(0, 8)}`, {
    applicationId: application.ref,
    configurationProfileId: profile.ref,
    contentType: 'application/json',
    content: initial,
    description: 'deployed with the stack',
  });
  new appconfig.CfnDeployment(stack, 'FlagsInitialDeployment', {
    applicationId: application.ref,
    environmentId: environment.ref,
    configurationProfileId: profile.ref,
    configurationVersion: version.ref,
    deploymentStrategyId: strategy.ref,
  });
  const profileArn = `arn:${stack.partition}:appconfig:${stack.region}:${stack.account}:application/${application.ref}/environment/${environment.ref}/configuration/${profile.ref}`;
  const readFlags = new PolicyStatement({
    sid: 'ReadFlags',
    actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
    resources: [profileArn],
  });
  return { application, environment, profile, strategy, readFlags };
}
