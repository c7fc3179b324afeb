import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TaskTokenGoneError, type ExecutionControl } from '../../core/delivery/ports.js';

/** Errors Step Functions answers when a token no longer waits: it timed out, its execution ended, or it was never valid. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** Wakes executions waiting on `.waitForTaskToken` (SendTaskSuccess / SendTaskFailure). */
export class SfnExecutionControl implements ExecutionControl {
  constructor(private readonly client: SFNClient) {}

  async sendTaskSuccess(token: string, output: object): Promise<void> {
    await this.send(() => this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    // Step Functions limits: error 256 characters, cause 32 768.
    await this.send(() => this.client.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, 256), cause: cause.slice(0, 32_768) })));
  }

  private async send(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (e) {
      if (GONE.has((e as Error)?.name)) throw new TaskTokenGoneError(`the task token no longer waits (${(e as Error).name})`);
      throw e;
    }
  }
}
