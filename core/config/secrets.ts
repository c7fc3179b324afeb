import * as z from 'zod';

/**
 * Secrets never live in the delivery config: a field that needs one holds a REFERENCE to SSM Parameter
 * Store (a SecureString) or Secrets Manager, resolved at send time by whoever needs the value.
 */
const SSM_PATH = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const SECRETS_MANAGER = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

export const SECRET_REF_HINT = "{ ssm: '/path' } or { secretsManager: 'name-or-arn' }";

export const SecretRefSchema = z.union(
  [
    z.strictObject({ ssm: z.string().regex(SSM_PATH, 'must be an SSM parameter path such as /lumina/prod/slack-webhook') }),
    z.strictObject({ secretsManager: z.string().regex(SECRETS_MANAGER, 'must be a Secrets Manager secret name or ARN') }),
  ],
  { error: `must be a secret reference: ${SECRET_REF_HINT}` },
);
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** Words that make a field name look like it holds a credential. */
const SECRET_WORDS = new Set(['token', 'password', 'passwd', 'pwd', 'secret', 'key', 'apikey', 'privatekey', 'credential', 'credentials', 'auth', 'authorization', 'bearer']);

/** `webhookSecretRef` → [webhook, secret, ref]; `api_key` → [api, key]. */
const wordsOf = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

export function looksLikeSecretField(key: string): boolean {
  const words = wordsOf(key);
  if (words.at(-1) === 'ref' || words.at(-1) === 'refs') return false; // a reference: the schema checks its shape
  return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_WORDS.has(w + (words[i + 1] ?? '')));
}

/** Values that are credentials whatever the field is called. */
const SECRET_VALUES: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/^https:\/\/hooks\.slack\.com\/(services|workflows)\//, "a Slack webhook URL (the URL is the secret: use { kind: 'slack', webhookSecretRef })"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with a password in it'],
  [/[?&](token|access_token|api_key|apikey|key|secret|sig|signature)=[^&\s]+/i, 'a URL with a credential in its query string'],
];

export interface RawIssue {
  path: PropertyKey[];
  message: string;
}

const advice = `store it in SSM Parameter Store or Secrets Manager and reference it: ${SECRET_REF_HINT}`;

/** Every place in a raw (unvalidated) config that holds what looks like an inline secret value. */
export function findInlineSecrets(raw: unknown, path: PropertyKey[] = []): RawIssue[] {
  if (Array.isArray(raw)) return raw.flatMap((v, i) => findInlineSecrets(v, [...path, i]));
  if (raw && typeof raw === 'object') {
    return Object.entries(raw).flatMap(([k, v]) => {
      const here = [...path, k];
      if ((typeof v === 'string' && v !== '') || typeof v === 'number') {
        if (looksLikeSecretField(k)) return [{ path: here, message: `looks like an inline secret; ${advice}` }];
      }
      return findInlineSecrets(v, here);
    });
  }
  if (typeof raw === 'string') {
    const hit = SECRET_VALUES.find(([re]) => re.test(raw));
    if (hit) return [{ path, message: `looks like ${hit[1]}; secrets never go in the config: ${advice}` }];
  }
  return [];
}
