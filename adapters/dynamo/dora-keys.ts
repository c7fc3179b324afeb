import type { EntityRef } from '../../core/dora/entities.js';

/**
 * DORA items in the single table (PK/SK and the GSI1/GSI2 attribute names of keys.ts). Every write is a
 * single-item conditional (or naturally idempotent) write.
 *
 *   DORA#<service>#<env>          DAY#<yyyy-mm-dd>    daily rollup (source of truth): c (counters), lt / rc
 *                                                     (histograms), ids (contributions applied, ~tombstones)
 *                                 DIR#<yyyy>          change marks: one counter per day, bumped after every write
 *                                                     to that day; GSI2: DORADIR#<yyyy> / <service>#<env>
 *                                 MONTH#<yyyy-mm>     read cache: the month's days as of the marks seen when
 *                                                     sealed (written by queries, never trusted past a newer mark)
 *   DORADEP#<service>#<env>#<id>  STATE               deployment state + contributions applied
 *                                 GSI1: DORAOK#<service>#<env> or DORAFAIL#<service>#<env> / <finishedAt ISO>#<id>
 *   DORACOMMIT#<service>#<sha>    STATE               commit state (commit time, deployments that shipped it)
 *   DORAINC#<service>#<env>#<id>  STATE               incident state
 *
 * Name parts escape '%' and '#', so a name cannot forge another key.
 */

const part = (s: string) => s.replace(/%/g, '%25').replace(/#/g, '%23');

export const doraKeys = {
  rollupPk: (service: string, environment: string) => `DORA#${part(service)}#${part(environment)}`,
  day: (service: string, environment: string, day: string) => ({ PK: doraKeys.rollupPk(service, environment), SK: `DAY#${day}` }),
  dir: (service: string, environment: string, year: string) => ({ PK: doraKeys.rollupPk(service, environment), SK: `DIR#${year}` }),
  month: (service: string, environment: string, month: string) => ({ PK: doraKeys.rollupPk(service, environment), SK: `MONTH#${month}` }),
  monthSk: (month: string) => `MONTH#${month}`,
  /** Attribute of a DIR item holding the change mark of one day. */
  markAttr: (day: string) => `m${day}`,
  /** GSI2: every (service, environment) with data in a year. */
  scopeIndex: (year: string) => `DORADIR#${year}`,
  scopeIndexSk: (service: string, environment: string) => `${part(service)}#${part(environment)}`,
  entity(ref: EntityRef) {
    if (ref.kind === 'commit') return { PK: `DORACOMMIT#${part(ref.service)}#${part(ref.id)}`, SK: 'STATE' };
    const prefix = ref.kind === 'deployment' ? 'DORADEP' : 'DORAINC';
    return { PK: `${prefix}#${part(ref.service)}#${part(ref.environment)}#${part(ref.id)}`, SK: 'STATE' };
  },
  /** GSI1 partitions ordering the deployments of a service/environment by finish: successes and failures apart. */
  successIndex: (service: string, environment: string) => `DORAOK#${part(service)}#${part(environment)}`,
  failureIndex: (service: string, environment: string) => `DORAFAIL#${part(service)}#${part(environment)}`,
} as const;
