import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../core/flags/rate-limit.js';
import { bulkEtag, canonicalJson, contentHash, detectFormat } from '../../core/flags/service.js';
import { InvalidFlagsError } from '../../core/flags/model.js';
import { ApiKeys, presentedKey } from '../../functions/flags/auth.js';

describe('RateLimiter: a token bucket per caller', () => {
  it('allows a burst, then refills at the rate, per caller', () => {
    let t = 0;
    const rl = new RateLimiter(2, 3, () => t);
    expect([1, 2, 3, 4].map(() => rl.take('a').allowed)).toEqual([true, true, true, false]);
    expect(rl.take('b').allowed).toBe(true); // another caller has its own bucket
    const denied = rl.take('a');
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t += 500; // half a second at 2/s = one token
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });
  it('rejects nonsense limits', () => {
    expect(() => new RateLimiter(0, 1)).toThrow(RangeError);
  });
});

describe('ApiKeys', () => {
  const keys = new ApiKeys(['alpha', 'beta-longer-key']);
  it('verifies only known keys, whatever their length', () => {
    expect(keys.required).toBe(true);
    expect(keys.verify('alpha')).toBe(true);
    expect(keys.verify('beta-longer-key')).toBe(true);
    for (const k of ['alph', 'alpha ', 'ALPHA', '', undefined, 'x'.repeat(10_000)]) expect(keys.verify(k)).toBe(false);
  });
  it('is open when no key is configured', () => {
    expect(new ApiKeys(['', '']).required).toBe(false);
  });
  it('reads X-API-Key or a Bearer token', () => {
    expect(presentedKey({ 'x-api-key': ' k1 ' })).toBe('k1');
    expect(presentedKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
  });
});

describe('flag documents: format detection, hashing, bulk ETags', () => {
  it.each([
    [{ flags: { a: { name: 'A' } }, values: { a: { enabled: true } } }, 'seed'],
    [{ flags: { a: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } }, 'flagd'],
    [{ $schema: 'https://flagd.dev/schema/v0/flags.json', flags: {} }, 'flagd'],
  ])('%j is %s', (doc, format) => {
    expect(detectFormat(doc)).toBe(format);
  });
  it('rejects what is neither, saying what it expected', () => {
    expect(() => detectFormat({ toggles: {} })).toThrow(InvalidFlagsError);
    expect(() => detectFormat([1])).toThrow('a flags document is a JSON object');
  });
  it('hashes equal documents equally, whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
  it('gives one ETag per (flags version, context)', () => {
    expect(bulkEtag('v1', { targetingKey: 'u', plan: 'pro' })).toBe(bulkEtag('v1', { plan: 'pro', targetingKey: 'u' }));
    expect(bulkEtag('v1', { targetingKey: 'u' })).not.toBe(bulkEtag('v2', { targetingKey: 'u' }));
    expect(bulkEtag('v1', { targetingKey: 'u' })).not.toBe(bulkEtag('v1', { targetingKey: 'w' }));
  });
});

describe('the clock is read only when a rule uses the time', () => {
  it('a static or attribute-targeted flag never calls the clock; $flagd.timestamp does, once', async () => {
    const { loadFlags, evaluateFlag } = await import('../../core/flags/service.js');
    const { set } = loadFlags({
      flags: {
        plain: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
        targeted: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', 'off'] } },
        timed: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ '>': [{ var: '$flagd.timestamp' }, 1000] }, 'on', 'off'] } },
      },
    });
    let reads = 0;
    const clock = () => (reads++, 2000);
    expect(evaluateFlag(set, 'plain', {}, clock).value).toBe(true);
    expect(evaluateFlag(set, 'targeted', { plan: 'pro' }, clock).value).toBe(true);
    expect(reads).toBe(0);
    expect(evaluateFlag(set, 'timed', {}, clock)).toMatchObject({ value: true, variant: 'on' });
    expect(reads).toBe(1);
    expect(evaluateFlag(set, 'timed', {}, 500).value).toBe(false);
  });
});
