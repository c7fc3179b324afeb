import { mulberry32 } from '../test/support/prng.js';
/**
 * The flags the flag benchmarks evaluate (flags-eval in process, flags-http over the local runtime):
 * one flagd document with three typical flags, the seed-format twin of the targeted one, and a fixed,
 * seeded set of varied evaluation contexts. Shared by the benchmark process and bench/flags-server.ts.
 */

export const STATIC_FLAG = 'maintenance-banner';
export const TARGETED_FLAG = 'new-checkout';
export const FRACTIONAL_FLAG = 'checkout-copy';

/** flagd format (https://flagd.dev/reference/flag-definitions/). */
export const FLAGD_DOC = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  metadata: { owner: 'web-platform' },
  flags: {
    // No targeting: the default variant, reason STATIC.
    [STATIC_FLAG]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    },
    // Pro users in the launch markets on a 2.x app: three conditions on context attributes.
    [TARGETED_FLAG]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          {
            and: [
              { in: [{ var: 'country' }, ['US', 'CA', 'GB', 'AU']] },
              { '==': [{ var: 'plan' }, 'pro'] },
              { starts_with: [{ var: 'appVersion' }, '2.'] },
            ],
          },
          'on',
          'off',
        ],
      },
    },
    // A/B/C/D copy test: sticky 4-way split on the targeting key.
    [FRACTIONAL_FLAG]: {
      state: 'ENABLED',
      variants: { control: 'Checkout', a: 'Pay now', b: 'Complete purchase', c: 'Place order' },
      defaultVariant: 'control',
      targeting: {
        fractional: [
          ['control', 25],
          ['a', 25],
          ['b', 25],
          ['c', 25],
        ],
      },
    },
  },
};

/**
 * The seed-format equivalent of TARGETED_FLAG: a boolean flag (variants on/off) that is on only for
 * its rule (`rollout_percentage: 0` makes the fallthrough the off outcome, reason DEFAULT).
 */
export const SEED_DOC = {
  version: 'bench-1',
  metadata: { owner: 'web-platform' },
  flags: { [TARGETED_FLAG]: { name: 'New checkout' } },
  values: {
    [TARGETED_FLAG]: {
      enabled: true,
      rollout_percentage: 0,
      rules: [
        {
          name: 'pro users in launch markets on 2.x',
          enabled: true,
          conditions: [
            { attribute: 'country', operator: 'in', values: ['US', 'CA', 'GB', 'AU'] },
            { attribute: 'plan', operator: 'equals', values: ['pro'] },
            { attribute: 'appVersion', operator: 'starts_with', values: ['2.'] },
          ],
        },
      ],
    },
  },
};

/** A type alias (not an interface) so it is assignable to both EvaluationContext types. */
export type BenchContext = {
  targetingKey: string;
  country: string;
  plan: string;
  appVersion: string;
  email: string;
  locale: string;
  platform: string;
};


/**
 * `n` varied contexts with one shape (as JSON.parse would produce them). Attribute mixes are chosen so
 * every condition of the targeted flag is both true and false often (~70 % / 65 % / 70 %), i.e. the
 * evaluation runs one, two or all three conditions. Targeting keys are ASCII (flagd-core hashes UTF-16
 * code units, flagd and we hash UTF-8 bytes: identical for ASCII).
 */
export function makeContexts(n: number, seed = 20240607): BenchContext[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const countries = ['US', 'US', 'US', 'CA', 'GB', 'GB', 'AU', 'DE', 'FR', 'JP'] as const; // 7/10 in the launch markets
  const plans = ['pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'pro', 'free', 'free', 'free', 'free', 'team', 'team', 'enterprise'] as const; // 13/20 pro
  const versions = ['2.4.1', '2.5.0', '2.5.3', '2.6.0-beta.2', '2.7.0', '2.7.1', '2.8.0', '1.9.3', '3.0.0', '3.1.0-rc.1'] as const; // 7/10 are 2.x
  const locales = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'es-ES'] as const;
  const platforms = ['web', 'ios', 'android'] as const;
  const out: BenchContext[] = [];
  for (let i = 0; i < n; i++) {
    const id = Math.floor(rnd() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    out.push({
      targetingKey: `user-${id}-${i}`,
      country: pick(countries),
      plan: pick(plans),
      appVersion: pick(versions),
      email: `user${i}@example${i % 7}.com`,
      locale: pick(locales),
      platform: pick(platforms),
    });
  }
  return out;
}

/** The body of one HTTP evaluation: a context that runs all three conditions (and matches). */
export const HTTP_CONTEXT: BenchContext = {
  targetingKey: 'user-5c3d8535-f81a',
  country: 'GB',
  plan: 'pro',
  appVersion: '2.7.1',
  email: 'jon@example.com',
  locale: 'en-GB',
  platform: 'web',
};
