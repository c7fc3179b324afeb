import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionControl } from '../../adapters/aws/sfn-control.js';
import { DynamoDoraStore } from '../../adapters/dynamo/dora-store.js';
import { parseTeams } from '../../core/config/teams.js';
import { events } from '../shared/clients/bus.js';
import { doc, repo, table } from '../shared/clients/dynamo.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { traced } from '../shared/powertools.js';
import { makeApiHandler } from './handler-factory.js';
import { DynamoReleaseRepository } from '../../adapters/dynamo/release-repository.js';

const control = new SfnExecutionControl(traced(new SFNClient({})));
// service → team for `GET /api/dora?team=` (the stack sets DORA_TEAMS from the services config).
const dora = new DynamoDoraStore(doc, table, parseTeams(process.env.DORA_TEAMS));

/** HTTP API (API Gateway v2) → read API, rollout commands and DORA metrics. */
const releases = new DynamoReleaseRepository(doc, table);

export const handler = makeApiHandler(() => ({ repo, control, executions, events, clock, dora, releases }));
