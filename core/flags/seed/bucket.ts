import { murmur3 as murmur3String } from '../murmur3.js';

/**
 * Sticky, deterministic bucketing for the seed flag format.
 *
 *   rolloutBucket(flagKey, targetingKey) = murmur3_32(utf8(`${flagKey}/${targetingKey}`), 0)          % 10000 / 100
 *   variantBucket(flagKey, targetingKey) = murmur3_32(utf8(`${flagKey}/${targetingKey}`), 86028157)   % 10000 / 100
 *
 * `murmur3_32` is MurmurHash3 x86 32-bit (Austin Appleby's reference `MurmurHash3_x86_32`), read as an
 * unsigned 32-bit integer; the input is the UTF-8 encoding of the string (lone surrogates encode as
 * U+FFFD, as `TextEncoder` does). A bucket is a number in [0, 100) with a resolution of 0.01, so
 * `bucket < percentage` puts exactly `percentage` % of the 10 000 slots "in". Flag keys cannot contain
 * `/`, so the input string identifies (flagKey, targetingKey) unambiguously.
 *
 * The variant bucket hashes the same input with a different seed (the idea, and the constant, of
 * Unleash's variant hash seed) so that the weighted variant choice is independent of the rollout
 * decision: with one shared bucket, a 25 % rollout followed by a 50/50 split would put everybody who
 * is in the rollout (buckets 0..24.99) into the first variant.
 *
 * Everything here is pure integer arithmetic on bytes, so every machine (and any port to another
 * language) computes the same buckets.
 */

/** Seed of the rollout bucket. */
export const ROLLOUT_SEED = 0;
/** Seed of the variant bucket (independent of the rollout bucket). */
export const VARIANT_SEED = 86028157;

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (what the hash is computed over). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

// One MurmurHash3 x86 32-bit implementation serves both flag formats (core/flags/murmur3.ts).
export { murmur3Bytes as murmur3, murmur3 as murmur3String } from '../murmur3.js';
/** Maps a 32-bit hash to [0, 100) with 0.01 resolution: `(hash >>> 0) % 10000 / 100`. */
export function hashToBucket(hash: number): number {
  return ((hash >>> 0) % 10000) / 100;
}

/** The user's bucket for percentage rollouts (flag-level and rule-level) of `flagKey`. */
export function rolloutBucket(flagKey: string, targetingKey: string): number {
  return hashToBucket(murmur3String(`${flagKey}/${targetingKey}`, ROLLOUT_SEED));
}

/** The user's bucket for the weighted variant split of `flagKey`. */
export function variantBucket(flagKey: string, targetingKey: string): number {
  return hashToBucket(murmur3String(`${flagKey}/${targetingKey}`, VARIANT_SEED));
}
