/**
 * Token bucket per caller (API key or source IP): `ratePerSecond` sustained, `burst` at once.
 * In AWS each Lambda container keeps its own buckets (a per-container limit, documented); locally
 * there is one. Pure apart from the injected clock.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxCallers = 10_000,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst ≥ 1');
  }

  /** Takes one token; when none is left, returns the seconds until one is. */
  take(caller: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const t = this.now();
    let b = this.buckets.get(caller);
    if (!b) {
      if (this.buckets.size >= this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, at: t };
      this.buckets.set(caller, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond)) };
  }
}
