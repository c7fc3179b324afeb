/** Thrown at module init when a required setting is missing: fail fast, before the first event. */
export class MissingConfigurationError extends Error {
  override name = 'MissingConfigurationError';
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new MissingConfigurationError(`environment variable ${name} is required`);
  return value;
}
