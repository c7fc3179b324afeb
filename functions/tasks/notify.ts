import { notify } from '../../core/delivery/tasks.js';
import { repo } from '../shared/clients/dynamo.js';
import { notifier } from '../shared/clients/sns.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Notify`: publish the outcome to SNS. */
export const handler = makeTaskHandler('notify', notify, () => ({ repo, notifier }));
