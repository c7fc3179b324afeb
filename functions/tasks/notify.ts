import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { AwsTargetIo } from '../../adapters/aws/notify-targets.js';
import { notify } from '../../core/delivery/tasks.js';
import { repo } from '../shared/clients/dynamo.js';
import { notifier, sns } from '../shared/clients/sns.js';
import { makeTaskHandler } from '../shared/task-handler.js';

const ssm = new SSMProvider();
const secretsManager = new SecretsProvider();
const targets = new AwsTargetIo(sns, {
  ssm: async (path) => (await ssm.get(path, { decrypt: true, maxAge: 300 })) as string | undefined,
  secretsManager: async (name) => (await secretsManager.get(name, { maxAge: 300 })) as string | undefined,
});

/** Task `Notify`: publish the outcome to SNS, and to the environment's own targets (config `notify`). */
export const handler = makeTaskHandler('notify', notify, () => ({ repo, notifier, targets }));
