/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's reference `MurmurHash3_x86_32`), over the UTF-8
 * bytes of a string — exactly what flagd (Go: `murmur3.StringSum32`) hashes for `fractional`.
 *
 * ASCII strings (the overwhelmingly common bucketing keys) are hashed straight from their char codes
 * without allocating; anything else is UTF-8 encoded first (lone surrogates become U+FFFD, as
 * `TextEncoder` does).
 *
 * Note: the JS flagd-core uses `imurmurhash`, which mixes UTF-16 code units instead of UTF-8 bytes, so
 * it agrees with this (and with flagd) only for ASCII keys. See the report / differential test.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const encoder = new TextEncoder();

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 of raw bytes. Returns an unsigned 32-bit integer. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    h = mixH(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
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
      h ^= mixK(k);
  }
  return finalize(h, len);
}

/** MurmurHash3_x86_32 of the UTF-8 encoding of `key`. Returns an unsigned 32-bit integer. */
export function murmur3(key: string, seed = 0): number {
  // Optimistically hash the char codes as bytes (exact for ASCII); `seen` remembers any non-ASCII.
  const len = key.length;
  const blocks = len & ~3;
  let seen = 0;
  let h = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    h = mixH(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      seen |= key.charCodeAt(i + 2);
      k ^= key.charCodeAt(i + 2) << 16;
    // falls through
    case 2:
      seen |= key.charCodeAt(i + 1);
      k ^= key.charCodeAt(i + 1) << 8;
    // falls through
    case 1:
      seen |= key.charCodeAt(i);
      k ^= key.charCodeAt(i);
      h ^= mixK(k);
  }
  if (seen > 0x7f) return murmur3Bytes(encoder.encode(key), seed);
  return finalize(h, len);
}

/**
 * flagd's fractional bucket for a 32-bit hash: `(hash * totalWeight) >> 32` computed exactly
 * (flagd-core 4.0.1 does it with BigInt; flagd Go with uint64). `totalWeight` must be an integer in
 * [0, 2^31 - 1]; the product needs up to 63 bits, so it is split into two exact 47-bit halves.
 */
export function bucketOf(hash: number, totalWeight: number): number {
  const hi = hash >>> 16;
  const lo = hash & 0xffff;
  return Math.floor((hi * totalWeight + Math.floor((lo * totalWeight) / 65536)) / 65536);
}
