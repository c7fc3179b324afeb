import { describe, expect, it } from 'vitest';
import { hashToBucket, murmur3, murmur3String, rolloutBucket, variantBucket } from '../../core/flags/seed/bucket.js';
import { compileSeed } from '../../core/flags/seed/compile.js';

describe('MurmurHash3 x86 32-bit', () => {
  // Published vectors (SMHasher / Wikipedia / the reference implementation's users).
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['hello', 0, 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['Hello, world!', 1234, 0xfaf6cdb3],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    // Multi-byte UTF-8, cross-checked against imurmurhash over the UTF-8 bytes.
    ['€', 0, 0x5b43fca5],
    ['😀', 0, 0xbeb42efa],
  ])('%j seed %i -> %i', (text, seed, expected) => {
    expect(murmur3String(text, seed)).toBe(expected);
  });

  it('hashes bytes: every tail length', () => {
    expect(murmur3(new Uint8Array([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b);
    expect(murmur3(new Uint8Array([0x21, 0x43, 0x65]))).toBe(0x7e4a8634);
    expect(murmur3(new Uint8Array([0x21, 0x43]))).toBe(0xa0f7b07a);
    expect(murmur3(new Uint8Array([0x21]))).toBe(0x72661cf4);
    expect(murmur3(new Uint8Array([0, 0, 0, 0]))).toBe(0x2362f9de);
  });
});

describe('seed buckets', () => {
  it('maps hashes to [0, 100) with 0.01 resolution', () => {
    expect(hashToBucket(0)).toBe(0);
    expect(hashToBucket(9999)).toBe(99.99);
    expect(hashToBucket(10000)).toBe(0);
    expect(hashToBucket(0xffffffff)).toBe(72.95); // 4294967295 % 10000 = 7295
    expect(hashToBucket(-1)).toBe(72.95); // read as unsigned
  });

  // Expected hashes computed with imurmurhash (an independent implementation) over the UTF-8 bytes of
  // `${flagKey}/${targetingKey}`, seed 0 (rollout) and 86028157 (variant).
  it.each([
    ['new-checkout', 'user-1', 0x65c6ce48, 77.52, 0x327148ef, 50.39],
    ['new-checkout', 'user-2', 0x42df023c, 13.56, 0x3903933d, 56.13],
    ['new-checkout', 'alice', 0x13b07ba3, 30.91, 0x207db811, 0.33],
    ['new-checkout', '', 0x951af755, 24.37, 0x8d3094ad, 12.45],
    ['banner-color', 'user-1', 0x121972fa, 77.22, 0xd0aef5dd, 71.33],
    ['banner-color', 'bob', 0x83152aea, 25.38, 0x14d380dc, 54.04],
    ['checkout-config', 'user-3', 0x13b108a9, 91.93, 0xaced9144, 3.72],
    ['max-items', 'ümlaut', 0x0ef15ced, 89.89, 0x897fb0f1, 69.61],
    ['holiday-theme', '😀', 0xbc3dce33, 70.91, 0x2571ce3c, 53.56],
  ])('%s / %j', (flag, key, rolloutHash, rollout, variantHash, variant) => {
    expect(murmur3String(`${flag}/${key}`, 0)).toBe(rolloutHash);
    expect(murmur3String(`${flag}/${key}`, 86028157)).toBe(variantHash);
    expect(rolloutBucket(flag, key)).toBe(rollout);
    expect(variantBucket(flag, key)).toBe(variant);
  });

  it('is sticky: raising a percentage only adds users', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `sticky-${i}`);
    const inAt = (pct: number) => new Set(keys.filter((k) => rolloutBucket('ramp', k) < pct));
    let previous = inAt(0);
    for (const pct of [1, 5, 10, 25, 50, 75, 99.99, 100]) {
      const now = inAt(pct);
      for (const k of previous) expect(now.has(k)).toBe(true);
      previous = now;
    }
    expect(previous.size).toBe(keys.length);
  });
});

describe('seed distributions (10 000 keys)', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}-${(i * 2654435761) % 1000003}`);

  it.each([1, 10, 25, 50, 90])('a %i %% rollout serves on to %i %% ± 2 %%', (pct) => {
    const flag = compileSeed({ flags: { 'new-checkout': { name: 'N' } }, values: { 'new-checkout': { enabled: true, rollout_percentage: pct } } }).flags.get('new-checkout')!;
    const on = keys.filter((targetingKey) => flag.evaluate({ targetingKey }, 0).value === true).length;
    expect(Math.abs((on / keys.length) * 100 - pct)).toBeLessThanOrEqual(2);
  });

  it('variant weights 50 / 30 / 20 within ± 2 %', () => {
    const flag = compileSeed({
      flags: { color: { name: 'C' } },
      values: { color: { enabled: true, variants: { blue: { weight: 50 }, green: { weight: 30 }, orange: { weight: 20 }, gray: {} }, default_variant: 'gray' } },
    }).flags.get('color')!;
    const counts: Record<string, number> = {};
    for (const targetingKey of keys) {
      const r = flag.evaluate({ targetingKey }, 0);
      expect(r.reason).toBe('SPLIT');
      counts[r.variant!] = (counts[r.variant!] ?? 0) + 1;
    }
    expect(counts.gray).toBeUndefined();
    for (const [variant, weight] of [['blue', 50], ['green', 30], ['orange', 20]] as const) {
      expect(Math.abs(((counts[variant] ?? 0) / keys.length) * 100 - weight)).toBeLessThanOrEqual(2);
    }
  });

  it('the variant split is independent of the rollout: a 25 % rollout then 50 / 50 stays 50 / 50', () => {
    const flag = compileSeed({
      flags: { exp: { name: 'E' } },
      values: { exp: { enabled: true, rollout_percentage: 25, variants: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50 }, { name: 'control' }], default_variant: 'control' } },
    }).flags.get('exp')!;
    const variants = keys.map((targetingKey) => flag.evaluate({ targetingKey }, 0).variant);
    const a = variants.filter((v) => v === 'a').length;
    const b = variants.filter((v) => v === 'b').length;
    expect(Math.abs(((a + b) / keys.length) * 100 - 25)).toBeLessThanOrEqual(2);
    expect(Math.abs((a / (a + b)) * 100 - 50)).toBeLessThanOrEqual(4);
  });

  it('is deterministic: two compilations give the same answers', () => {
    const doc = { flags: { f: { name: 'F' } }, values: { f: { enabled: true, rollout_percentage: 37.5, variants: { x: { weight: 33.33 }, y: { weight: 33.33 }, z: { weight: 33.34 } }, default_variant: 'x' } } };
    const [one, two] = [compileSeed(doc).flags.get('f')!, compileSeed(structuredClone(doc)).flags.get('f')!];
    for (const targetingKey of keys.slice(0, 2000)) expect(two.evaluate({ targetingKey }, 0)).toEqual(one.evaluate({ targetingKey }, 0));
  });
});
