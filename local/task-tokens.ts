import { randomUUID } from 'node:crypto';
import { TaskTokenGoneError, type ExecutionControl } from '../core/delivery/ports.js';

interface Waiter {
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * `.waitForTaskToken` on one machine: the local runner's Task override for a `waitForTaskToken`
 * state asks for a token here, hands it to the same gate function the Lambda runs, and awaits it.
 * `sendTaskSuccess` / `sendTaskFailure` settle it, as Step Functions' API calls do; a token that
 * timed out or was never issued (e.g. before a restart) is "gone", as in AWS.
 */
export class LocalTaskTokens implements ExecutionControl {
  private readonly waiting = new Map<string, Waiter>();

  /** A new token and the promise of its outcome; forgotten after `timeoutSeconds` (the state's own timeout fires then). */
  issue(timeoutSeconds: number): { token: string; outcome: Promise<unknown> } {
    const token = `local-task-${randomUUID()}`;
    const outcome = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.waiting.delete(token), Math.max(1, timeoutSeconds) * 1000);
      timer.unref();
      this.waiting.set(token, { resolve, reject, timer });
    });
    return { token, outcome };
  }

  private take(token: string): Waiter {
    const w = this.waiting.get(token);
    if (!w) throw new TaskTokenGoneError(`task token ${token.slice(0, 24)}… does not wait (timed out, finished, or issued before a restart)`);
    this.waiting.delete(token);
    clearTimeout(w.timer);
    return w;
  }

  async sendTaskSuccess(token: string, output: object): Promise<void> {
    this.take(token).resolve(output);
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    const e = new Error(cause);
    e.name = error;
    this.take(token).reject(e);
  }

  get size(): number {
    return this.waiting.size;
  }
}
