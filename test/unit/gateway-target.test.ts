import { describe, expect, it } from 'vitest';
import { nextTurn, parseTarget } from '../../local/gateway.js';

describe('parseTarget splits a request target exactly as WHATWG URL would', () => {
  const cases = [
    '/',
    '/api/rollouts',
    '/api/rollouts?service=api&phase=Healthy',
    '/ofrep/v1/evaluate/flags/new-checkout',
    '/ofrep/v1/evaluate/flags/dark%20mode',
    '/ofrep/v1/evaluate/flags/a.b.c',
    '/api/../health',
    '/api/./rollouts',
    '/a\\b',
    '/x?',
    '/x?a=1&a=2#frag',
    '',
  ];
  it.each(cases)('%j', (target) => {
    const url = new URL(target || '/', 'http://localhost');
    const got = parseTarget(target);
    expect(got.pathname).toBe(url.pathname);
    // URL drops a lone "?" and the fragment; a request line never carries a fragment, and an empty search is equivalent.
    expect(got.search.replace(/^\?$/, '').replace(/#.*$/, '')).toBe(url.search);
  });

  it('treats an absent target as the root', () => {
    expect(parseTarget(undefined)).toEqual({ pathname: '/', search: '' });
  });
});

describe('nextTurn resumes every waiter of one poll phase together, in order, after pending I/O callbacks', () => {
  it('resolves waiters in arrival order within one turn', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => nextTurn().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('runs after the current microtasks, not inside them', async () => {
    const seen: string[] = [];
    const waiting = nextTurn().then(() => seen.push('turn'));
    await Promise.resolve();
    seen.push('microtask');
    await waiting;
    expect(seen).toEqual(['microtask', 'turn']);
  });
});
