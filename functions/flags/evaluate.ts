import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { AppConfigFlagSource } from '../../adapters/aws/appconfig-flags.js';
import { RateLimiter } from '../../core/flags/rate-limit.js';
import { requireEnv } from '../shared/env.js';
import { logger } from '../shared/powertools.js';
import { ApiKeys } from './auth.js';
import { makeFlagsHandler } from './handler-factory.js';

/** Flag evaluation Lambda: seed endpoint + OFREP, flags from AppConfig, optional API keys from Secrets Manager. */
const provider = new AppConfigProvider({ application: requireEnv('APPCONFIG_APPLICATION'), environment: requireEnv('APPCONFIG_ENVIRONMENT') });
const source = new AppConfigFlagSource(provider, requireEnv('APPCONFIG_PROFILE'), Number(process.env.FLAGS_MAX_AGE_SECONDS ?? 30), (message, error) =>
  logger.warn(message, { error: error as Error }),
);
const keysSecret = process.env.FLAG_API_KEYS_SECRET; // a secret's name (a reference), never the keys themselves
const secrets = keysSecret ? new SecretsProvider() : undefined;
const rate = Number(process.env.FLAGS_RATE_LIMIT_PER_SECOND ?? 0);
const limiter = rate > 0 ? new RateLimiter(rate, Math.max(1, Number(process.env.FLAGS_RATE_LIMIT_BURST ?? rate))) : undefined;

let apiKeys = new ApiKeys([]);
let keysVersion: string | undefined;
async function currentKeys(): Promise<ApiKeys> {
  if (!secrets || !keysSecret) return apiKeys;
  const raw = await secrets.get(keysSecret, { maxAge: 300 });
  const text = typeof raw === 'string' ? raw : '';
  if (text !== keysVersion) {
    // The secret holds a JSON array of keys, or one key per line.
    const list = text.trim().startsWith('[') ? (JSON.parse(text) as string[]) : text.split('\n').map((l) => l.trim());
    apiKeys = new ApiKeys(list);
    keysVersion = text;
  }
  return apiKeys;
}

export const handler = makeFlagsHandler(async () => ({ source, apiKeys: await currentKeys(), ...(limiter ? { limiter } : {}) }));
