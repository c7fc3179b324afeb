import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, type AwsSdkCall } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { InvalidConfigError, parseDeliveryConfig, type RouterConfig, type ServiceConfig } from '../core/config/services.js';
import { serviceConfigUpdate } from '../adapters/dynamo/keys.js';

export type AlbServiceConfig = ServiceConfig & { router: Extract<RouterConfig, { kind: 'alb' }> };

export interface LoadedDeliveryConfig {
  /** The file the services came from (absolute). */
  file: string;
  /** sha256 of the file content, first 12 hex chars: changes whenever the file does. */
  configVersion: string;
  services: AlbServiceConfig[];
}

/**
 * The services config to seed: `$LUMINA_CONFIG` (relative to the project root) if set, else
 * `lumina.config.json` at the root if it exists, else none. An invalid file fails synthesis with the
 * exact path of every issue; a service routed by the local proxy cannot be deployed to AWS.
 */
export function loadDeliveryConfig(root: string): LoadedDeliveryConfig | undefined {
  const configured = process.env.LUMINA_CONFIG;
  const file = path.resolve(root, configured || 'lumina.config.json');
  if (!configured && !existsSync(file)) return undefined;
  if (!existsSync(file)) throw new Error(`LUMINA_CONFIG points to ${file}, which does not exist`);

  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  let services: ServiceConfig[];
  try {
    services = parseDeliveryConfig(json);
  } catch (e) {
    if (e instanceof InvalidConfigError) throw new Error(`${file}: ${e.message}`, { cause: e });
    throw e;
  }
  const local = services.filter((s) => s.router.kind === 'local').map((s) => `  services.${s.name}.router.kind: 'local' is the embedded runtime's proxy; on AWS use kind 'alb'`);
  if (local.length > 0) throw new Error(`${file}: services routed by the local proxy cannot be deployed to AWS:\n${local.join('\n')}`);

  return {
    file,
    configVersion: createHash('sha256').update(text).digest('hex').slice(0, 12),
    services: services as AlbServiceConfig[],
  };
}

/**
 * One custom resource per service: on create and on every update it writes the service's config with
 * the same UpdateExpression the local runtime uses (serviceConfigUpdate), leaving the runtime state
 * (stable revision, lock) untouched. A changed file changes configVersion, hence the call, hence an update.
 */
export function seedServiceConfigs(scope: Construct, table: ITable, loaded: LoadedDeliveryConfig): AwsCustomResource[] {
  return loaded.services.map((service) => {
    const update = serviceConfigUpdate(service, loaded.configVersion);
    const call: AwsSdkCall = {
      service: 'DynamoDB',
      action: 'updateItem',
      parameters: {
        TableName: table.tableName,
        Key: marshall(update.Key),
        UpdateExpression: update.UpdateExpression,
        ExpressionAttributeNames: update.ExpressionAttributeNames,
        ExpressionAttributeValues: marshall(update.ExpressionAttributeValues, { removeUndefinedValues: true }),
      },
      physicalResourceId: PhysicalResourceId.of(`lumina-service-config-${service.name}`),
    };
    return new AwsCustomResource(scope, `ServiceConfig-${service.name}`, {
      resourceType: 'Custom::LuminaServiceConfig',
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] })]),
    });
  });
}
