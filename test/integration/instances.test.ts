import { afterEach, describe, expect, it } from 'vitest';
import { InstanceManager } from '../../local/instances.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
};

let manager: InstanceManager | undefined;
afterEach(async () => {
  await manager?.stopAll();
  manager = undefined;
});

describe('InstanceManager (real demo-service child processes)', () => {
  it('forks a demo-service, serves requests from the child, and stops it for good', async () => {
    manager = new InstanceManager();
    const { url, pid } = await manager.start('demo/stable/v7', { version: 'v7' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pid).not.toBe(process.pid);
    expect(alive(pid)).toBe(true);

    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: 'demo', version: 'v7', pid });
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // One key, one process.
    await expect(manager.start('demo/stable/v7', { version: 'v7' })).rejects.toThrow(/already running/);
    expect(manager.list()).toEqual([{ key: 'demo/stable/v7', url, pid }]);

    await manager.stop('demo/stable/v7');
    expect(alive(pid)).toBe(false);
    expect(manager.list()).toEqual([]);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await manager.stop('demo/stable/v7'); // unknown key: no-op
  });

  it('passes the fault configuration: a faulty child reports healthy but answers 500', async () => {
    manager = new InstanceManager();
    const { url, pid } = await manager.start('demo/canary/bad', { version: 'v8', faultRate: 1, crashAfterMs: 60_000 });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(500);
    await manager.stopAll();
    expect(alive(pid)).toBe(false);
  });

  it('rejects with a clear error when the child cannot start', async () => {
    manager = new InstanceManager({ script: '/nonexistent/demo-service.ts', startTimeoutMs: 5000 });
    await expect(manager.start('broken', { version: 'v0' })).rejects.toThrow(/instance "broken" failed to start: exited before listening/);
    expect(manager.list()).toEqual([]);
  });
});
