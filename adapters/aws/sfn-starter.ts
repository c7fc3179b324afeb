import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStarter } from '../../core/delivery/ports.js';

const MAX_NAME = 80;
const VALID_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * A Step Functions execution name for `name`. Names are 1–80 characters and may not contain whitespace, brackets,
 * wildcards, most punctuation or control characters; we keep to `[A-Za-z0-9_-]` (also what CloudWatch Logs accepts).
 * A valid name is used as is (a rollout id stays recognisable in the console). Any other is sanitized (runs of other
 * characters → `-`) and cut to 71 characters, then suffixed with `-` and 8 hex characters of the SHA-256 of the
 * original name: deterministic (a retried start finds its execution) and distinct for distinct names.
 */
export function executionName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${clean.slice(0, MAX_NAME - hash.length - 1)}${clean ? '-' : ''}${hash}`;
}

/**
 * Starts the rollout state machine by name. A name already used (a redelivered trigger) is reported as
 * `alreadyStarted`. Note: a Standard workflow given the same name *and* input while that execution still runs answers
 * with success instead of ExecutionAlreadyExists — that too starts nothing, but reads as `alreadyStarted: false`.
 */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: { rolloutId: string }): Promise<{ alreadyStarted: boolean }> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(name), input: JSON.stringify(input) }));
      return { alreadyStarted: false };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as Error)?.name === 'ExecutionAlreadyExists') return { alreadyStarted: true };
      throw e;
    }
  }
}
