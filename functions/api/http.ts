import { DynamoDoraStore } from '../../adapters/dynamo/dora-store.js';
import { parseTeams } from '../../core/config/teams.js';
import { events } from '../shared/clients/bus.js';
import { doc, repo, table } from '../shared/clients/dynamo.js';
import { control } from '../shared/clients/control.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeApiHandler } from './handler-factory.js';
import { DynamoReleaseRepository } from '../../adapters/dynamo/release-repository.js';

// service → team for `GET /api/dora?team=` (the stack sets DORA_TEAMS from the services config).
const dora = new DynamoDoraStore(doc, table, parseTeams(process.env.DORA_TEAMS));

const releases = new DynamoReleaseRepository(doc, table);

/** HTTP API (API Gateway v2) → read API, rollout commands, releases and DORA metrics. */
export const handler = makeApiHandler(() => ({ repo, control, executions, events, clock, dora, releases }));
