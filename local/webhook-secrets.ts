import { readFileSync, statSync } from 'node:fs';
import { parseWebhookSecrets, staticSecrets, type WebhookSecretSource } from '../functions/webhooks/config.js';

/**
 * Webhook secrets of the local runtime, by reference like in AWS: LUMINA_WEBHOOK_SECRETS (the JSON itself) or
 * `<data dir>/webhook-secrets.json` ({"github": ["…"], "generic": "…"}). The file is re-read when it changes
 * (checked at each delivery), so a rotation needs no restart. No file = no secrets = every delivery is 401.
 * An invalid file answers 500 with its path (never its content) in the log until it is fixed.
 */
export class FileWebhookSecrets implements WebhookSecretSource {
  private loaded: { stamp: string; source: WebhookSecretSource } | undefined;

  constructor(
    private readonly file: string,
    private readonly inline: string | undefined = process.env.LUMINA_WEBHOOK_SECRETS,
  ) {}

  async secretsFor(provider: string): Promise<readonly string[]> {
    return this.current().secretsFor(provider);
  }

  private current(): WebhookSecretSource {
    if (this.inline?.trim()) {
      this.loaded ??= { stamp: 'env', source: staticSecrets(parseWebhookSecrets(this.inline, 'LUMINA_WEBHOOK_SECRETS')) };
      return this.loaded.source;
    }
    let stamp = 'missing';
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      // no file: no secrets
    }
    if (this.loaded?.stamp !== stamp) {
      const source = stamp === 'missing' ? staticSecrets({}) : staticSecrets(parseWebhookSecrets(readFileSync(this.file, 'utf8'), this.file));
      this.loaded = { stamp, source };
    }
    return this.loaded.source;
  }
}
