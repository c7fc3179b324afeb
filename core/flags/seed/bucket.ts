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

/** MurmurHash3 x86 32-bit of `bytes` with `seed`, as an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed >>> 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    let k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= bytes[i + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[i + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[i]!;
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86 32-bit of the UTF-8 encoding of `text`. */
export function murmur3String(text: string, seed = 0): number {
  return murmur3(utf8(text), seed);
}

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
