import type { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { loadFlags, type LoadedFlags } from '../../core/flags/service.js';
import type { FlagSource } from '../../functions/flags/http.js';

export class FlagsUnavailableError extends Error {
  override name = 'FlagsUnavailableError';
}

/**
 * Flags hosted in AWS AppConfig, read through Powertools Parameters' AppConfigProvider (it runs the
 * AppConfigData session: StartConfigurationSession, then GetLatestConfiguration with token rotation,
 * caching the value for `maxAgeSeconds`). A failed poll or an undeployable document keeps serving the
 * last good flags; only a cold start with no good flags at all fails.
 */
export class AppConfigFlagSource implements FlagSource {
  private good: LoadedFlags | undefined;
  private lastRaw: string | undefined;
  lastError: string | undefined;

  constructor(
    private readonly provider: Pick<AppConfigProvider, 'get'>,
    private readonly profile: string,
    private readonly maxAgeSeconds = 30,
    private readonly onError: (message: string, error: unknown) => void = () => undefined,
  ) {}

  async current(): Promise<LoadedFlags> {
    try {
      const value = await this.provider.get(this.profile, { maxAge: this.maxAgeSeconds });
      const raw = typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : JSON.stringify(value);
      if (raw !== this.lastRaw || !this.good) {
        this.good = loadFlags(JSON.parse(raw));
        this.lastRaw = raw;
        this.lastError = undefined;
      }
    } catch (e) {
      this.lastError = (e as Error).message;
      this.onError(this.good ? 'flags refresh failed; serving the last good flags' : 'no flags could be loaded', e);
      if (!this.good) throw new FlagsUnavailableError(`flags unavailable: ${(e as Error).message}`);
    }
    return this.good!;
  }
}
