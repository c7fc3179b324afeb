import { ECRClient } from '@aws-sdk/client-ecr';
import { EcrScanFindingsSource } from '../../adapters/aws/ecr-scan-findings.js';
import { prepare } from '../../core/delivery/tasks.js';
import { repo } from '../shared/clients/dynamo.js';
import { router } from '../shared/clients/traffic.js';
import { systemClock as clock } from '../shared/clock.js';
import { traced } from '../shared/powertools.js';
import { makeTaskHandler } from '../shared/task-handler.js';

const scans = new EcrScanFindingsSource(traced(new ECRClient({})));

/** Task `Prepare`: lock the service, run the security gate, deploy the new version at 0 % (or resume). */
export const handler = makeTaskHandler('prepare', prepare, () => ({ repo, router, clock, scans }));
