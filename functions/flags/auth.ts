import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * API keys compared in constant time: both sides are hashed to 32 bytes first, so neither the
 * content nor the length of a key leaks through timing. Keys arrive by reference (a secret's name),
 * never in configuration.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((k) => k.length > 0).map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  verify(candidate: string | undefined): boolean {
    if (!candidate) return false;
    const d = digest(candidate);
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(known, d) || ok; // no early exit
    return ok;
  }
}

/** `X-API-Key: <key>` or `Authorization: Bearer <key>` (OFREP's two security schemes). */
export function presentedKey(headers: Record<string, string | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (x) return x.trim();
  const auth = headers.authorization;
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return m?.[1];
}
