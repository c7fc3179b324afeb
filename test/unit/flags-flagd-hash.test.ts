/**
 * MurmurHash3 x86_32, flagd's fractional bucket formula, and sem_ver parsing — against published
 * vectors and the `imurmurhash` package flagd-core uses (bucket assignments themselves are checked
 * against flagd-core in flags-flagd-differential.test.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlagd } from '../../core/flags/flagd/compile.js';
import { bucketOf, murmur3, murmur3Bytes } from '../../core/flags/murmur3.js';
import { fractional, semVer } from '../../core/flags/flagd/ops.js';
import { compareSemVer, normalizeVersion, parseSemVer } from '../../core/flags/flagd/semver.js';

/** The hash flagd-core 4.0.1 uses (untyped CommonJS, installed as its dependency). */
const MurmurHash3 = createRequire(import.meta.url)('imurmurhash') as new (key: string, seed?: number) => { result(): number };

describe('murmur3 (x86, 32-bit)', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['hello', 0, 0x248bfa47],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['ab', 0x9747b28c, 0x74875592],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    // UTF-8 input (reference implementation over the UTF-8 bytes)
    ['ππππππππ', 0x9747b28c, 0xd58063c1],
    ['My 🚀 is full of 🦎.', 0, 1818098979],
    ['吉 星 高 照', 0, 3435142074],
  ])('%j with seed %i', (input, seed, expected) => {
    expect(murmur3(input, seed)).toBe(expected);
  });

  it('hashes raw bytes (Wikipedia vectors)', () => {
    expect(murmur3Bytes(new Uint8Array([0, 0, 0, 0]))).toBe(0x2362f9de);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0x5082edee)).toBe(0x2362f9de);
    expect(murmur3('ab\u00e9')).toBe(murmur3Bytes(new TextEncoder().encode('ab\u00e9')));
  });

  it('equals imurmurhash (flagd-core) on ASCII, for any length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 64 }), fc.nat(), (s, seed) => murmur3(s, seed) === new MurmurHash3(s, seed).result()),
      { numRuns: 5000, seed: 1 },
    );
  });

  it('differs from imurmurhash beyond ASCII: flagd-core hashes UTF-16 code units, flagd (Go) and we hash UTF-8', () => {
    expect(new MurmurHash3('ππππππππ', 0x9747b28c).result()).not.toBe(0xd58063c1);
    expect(murmur3('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
  });
});

describe('fractional bucket', () => {
  it('is (hash * totalWeight) >> 32, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 2147483647 }), (h, w) => {
        return bucketOf(h, w) === Number((BigInt(h) * BigInt(w)) >> 32n);
      }),
      { numRuns: 20000, seed: 2 },
    );
    expect(bucketOf(0xffffffff, 2147483647)).toBe(2147483646);
    expect(bucketOf(0, 100)).toBe(0);
    expect(bucketOf(0x80000000, 100)).toBe(50);
  });

  it('follows flagd-core on arguments', () => {
    // bucketing key: a leading string, else $flagd.flagKey + targetingKey (none → null)
    expect(fractional([['a', 1]], 'f', undefined)).toBeNull();
    expect(fractional([['a', 1]], 'f', '')).toBeNull();
    expect(fractional(['key', ['only']], 'f', undefined)).toBe('only');
    // weights: integers, default 1, negatives clamp to 0; all zero → null
    expect(fractional(['k', ['a', -5], ['b', 3]], 'f', undefined)).toBe('b');
    expect(fractional(['k', ['a', 0], ['b', 0]], 'f', undefined)).toBeNull();
    expect(fractional(['k', ['a', 1.5]], 'f', undefined)).toBeNull();
    expect(fractional(['k', ['a', '1']], 'f', undefined)).toBeNull();
    expect(fractional(['k', ['a', 2147483647], ['b', 1]], 'f', undefined)).toBeNull();
    // variants: string / number / boolean / null
    expect(fractional(['k', [true]], 'f', undefined)).toBe(true);
    expect(fractional(['k', [7]], 'f', undefined)).toBe(7);
    expect(fractional(['k', [null]], 'f', undefined)).toBeNull();
    expect(fractional(['k', [['nested']]], 'f', undefined)).toBeNull();
    expect(fractional(['k', 'not-a-bucket'], 'f', undefined)).toBeNull();
    expect(fractional(['k', ['a', 1, 2]], 'f', undefined)).toBeNull();
  });

  it('known buckets of the e2e "split" flag (cross-checked with flagd-core)', () => {
    const set = compileFlagd(JSON.parse(readFileSync(new URL('../fixtures/flags/flagd/e2e.flagd.json', import.meta.url), 'utf8')));
    const split = set.flags.get('split')!;
    const got = Object.fromEntries(['user-1', 'user-2', 'user-3', 'alice@example.com', 'bob@example.com', '42', 'abcd', '550e8400-e29b-41d4-a716-446655440000'].map((k) => [k, split.evaluate({ targetingKey: k }, 0).variant]));
    expect(got).toEqual({ 'user-1': 'b', 'user-2': 'b', 'user-3': 'a', 'alice@example.com': 'a', 'bob@example.com': 'b', '42': 'b', abcd: 'a', '550e8400-e29b-41d4-a716-446655440000': 'b' });
  });
});

describe('sem_ver', () => {
  it('parses like node-semver (strict) with flagd\'s leniency', () => {
    expect(parseSemVer('1.2.3-alpha.1+build.5')).toMatchObject({ major: 1, minor: 2, patch: 3, prerelease: ['alpha', 1], version: '1.2.3-alpha.1' });
    expect(parseSemVer(' v1.2.3 ')?.version).toBe('1.2.3');
    expect(parseSemVer('01.2.3')).toBeNull();
    expect(parseSemVer('1.2')).toBeNull();
    expect(parseSemVer(`1.2.3-${'a'.repeat(300)}`)).toBeNull();
    expect(normalizeVersion('V1.0.0')?.version).toBe('1.0.0');
    expect(normalizeVersion('1')?.version).toBe('1.0.0');
    expect(normalizeVersion(1.2)?.version).toBe('1.2.0');
    expect(normalizeVersion('2.0.0.0')).toBeNull();
    expect(normalizeVersion('myVersion_1')).toBeNull();
    expect(normalizeVersion(null)).toBeNull();
  });

  it('orders by SemVer precedence', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    for (let i = 1; i < order.length; i++) expect(compareSemVer(parseSemVer(order[i - 1]!)!, parseSemVer(order[i]!)!)).toBe(-1);
    expect(compareSemVer(parseSemVer('1.0.0+a')!, parseSemVer('1.0.0+b')!)).toBe(0);
  });

  it.each([
    ['2.0.0', '=', '2.0.0', true],
    ['2.1.0', '>', '2.0.0', true],
    ['2.0.0-alpha', '<', '2.0.0', true],
    ['1.9.0', '>=', '2.0.0', false],
    ['1.0.0', '<=', '1.0.0', true],
    ['1.0.0', '!=', '1.0.1', true],
    ['3.0.1', '~', '3.0.0', true],
    ['3.1.0', '~', '3.0.0', false],
    ['3.1.0', '^', '3.0.0', true],
    ['4.0.0', '^', '3.0.0', false],
    ['v1.0.0', '=', '1.0.0', true],
    ['1.0.0+other', '=', '1.0.0+build', true],
    [1, '^', '1', true],
    [1.2, '>', '1.1', true],
    ['1.0.0', '===', '1.0.0', null],
    ['not-a-version', '=', '1.0.0', null],
  ])('%j %s %j → %j', (a, op, b, expected) => {
    expect(semVer([a, op, b])).toBe(expected);
  });

  it('needs exactly three arguments', () => {
    expect(semVer(['1.0.0', '='])).toBeNull();
    expect(semVer('1.0.0')).toBeNull();
  });
});
