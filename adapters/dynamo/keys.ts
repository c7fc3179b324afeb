import type { ServiceConfig } from '../../core/config/services.js';

/**
 * Single-table layout (see README "Access patterns"). Every invariant is kept by single-item
 * conditional writes; dynalite, our local DynamoDB, has no transactions.
 *
 *   SERVICE#<name>   META                      service: config, stable revision, lock (activeRolloutId)
 *                    GSI1: REPO#<repository> / SERVICE#<name>
 *                    GSI2: SERVICES / <name>
 *   ROLLOUT#<id>     META                      rollout: spec, status, version, audit (append-only list)
 *                    GSI1: SERVICE#<name> / ROLLOUT#<createdAt>#<id>
 *                    GSI2: ACTIVE / <createdAt>#<id>   (only while in flight: a sparse index)
 *   ROLLOUT#<id>     MEAS#<step:3>#<seq:5>     one analysis measurement
 *   RELEASE#<id>     META                      release: levels, components and their rollouts, version
 */
export const keys = {
  service: (name: string) => ({ PK: `SERVICE#${name}`, SK: 'META' }),
  rollout: (id: string) => ({ PK: `ROLLOUT#${id}`, SK: 'META' }),
  release: (id: string) => ({ PK: `RELEASE#${id}`, SK: 'META' }),
  measurement: (id: string, stepIndex: number, seq: number) => ({
    PK: `ROLLOUT#${id}`,
    SK: `MEAS#${String(stepIndex).padStart(3, '0')}#${String(seq).padStart(5, '0')}`,
  }),
  repoIndex: (repository: string) => `REPO#${repository}`,
  serviceIndex: (name: string) => `SERVICE#${name}`,
  rolloutIndexSk: (createdAt: string, id: string) => `ROLLOUT#${createdAt}#${id}`,
  ACTIVE: 'ACTIVE',
  SERVICES: 'SERVICES',
} as const;

export const GSI1 = 'GSI1';
export const GSI2 = 'GSI2';

/**
 * The update that writes a service's configuration without touching its runtime state (stable
 * revision, lock). Used by the local runtime at start and by the stack's deploy-time seeding.
 */
export function serviceConfigUpdate(config: ServiceConfig, configVersion: string) {
  // Only a push target (a service's first environment) is found by repository; later environments
  // receive revisions by progression.
  if (config.progression && !config.progression.first) {
    return {
      Key: keys.service(config.name),
      UpdateExpression: 'SET #config = :config, configVersion = :v, #name = :name, GSI2PK = :g2pk, GSI2SK = :name, #type = :type REMOVE GSI1PK, GSI1SK',
      ExpressionAttributeNames: { '#config': 'config', '#name': 'name', '#type': 'type' },
      ExpressionAttributeValues: { ':config': config, ':v': configVersion, ':name': config.name, ':g2pk': keys.SERVICES, ':type': 'service' },
    };
  }
  return {
    Key: keys.service(config.name),
    UpdateExpression: 'SET #config = :config, configVersion = :v, #name = :name, GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :name, #type = :type',
    ExpressionAttributeNames: { '#config': 'config', '#name': 'name', '#type': 'type' },
    ExpressionAttributeValues: {
      ':config': config,
      ':v': configVersion,
      ':name': config.name,
      ':g1pk': keys.repoIndex(config.repository),
      ':g1sk': keys.serviceIndex(config.name),
      ':g2pk': keys.SERVICES,
      ':type': 'service',
    },
  };
}

/** Table definition shared by the stack and the local runtime (dynalite), so both have the same indexes. */
export const tableDefinition = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    { name: GSI1, partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { name: GSI2, partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
} as const;
