export interface ConfigIssue {
  /** Where, e.g. `services.api.environments.prod.strategy.stages[2]` (environments by name). */
  path: string;
  message: string;
}

/** A delivery config with at least one problem; it is rejected whole, with every issue. */
export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid delivery config:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

/** The config file cannot be read, parsed (YAML/JSON syntax) or imported (TypeScript/ESM). */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnknownServiceError extends Error {
  override name = 'UnknownServiceError';
}

export class UnknownEnvironmentError extends Error {
  override name = 'UnknownEnvironmentError';
}

/** `['services', 'api', 'stages', 2]` → `services.api.stages[2]`. */
export const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
