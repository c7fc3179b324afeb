import { afterEach, describe, expect, it, vi } from 'vitest';

describe('functions/shared/powertools: the Tracer only when tracing is on', () => {
  const previous = process.env.POWERTOOLS_TRACE_ENABLED;
  afterEach(() => {
    process.env.POWERTOOLS_TRACE_ENABLED = previous;
    vi.resetModules();
  });

  it('with tracing on (as in AWS) it builds a Tracer, wraps clients and adds the per-invocation middleware', async () => {
    delete process.env.POWERTOOLS_TRACE_ENABLED;
    vi.resetModules();
    const pt = await import('../../functions/shared/powertools.js');
    expect(pt.tracer).toBeDefined();
    expect(pt.tracing()).toHaveLength(1);
    expect(typeof pt.tracing()[0]!.before).toBe('function');
  });

  it('with tracing off (the local runtime) it loads no Tracer and changes nothing', async () => {
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    vi.resetModules();
    const pt = await import('../../functions/shared/powertools.js');
    expect(pt.tracer).toBeUndefined();
    expect(pt.tracing()).toEqual([]);
    const client = { send: () => 1 };
    expect(pt.traced(client)).toBe(client);
  });
});
