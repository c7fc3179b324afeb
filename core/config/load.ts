import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigFileError } from './errors.js';
import type { DeliveryFileInput } from './schema.js';
import { parseDeliveryFile, type ParsedDeliveryConfig } from './validate.js';

export type ConfigFormat = 'yaml' | 'json' | 'module';

export interface LoadedDeliveryConfig {
  path: string;
  format: ConfigFormat;
  config: ParsedDeliveryConfig;
  configVersion: string;
}

/** Looked for, in this order, when no file is named. */
export const DEFAULT_CONFIG_FILES = ['lumina.config.yaml', 'lumina.config.yml', 'lumina.config.json', 'lumina.config.ts', 'lumina.config.mjs'];

/** Typed identity for TypeScript configs: `export default defineDeliveryConfig({ services: { … } })`. */
export const defineDeliveryConfig = <T extends DeliveryFileInput>(config: T): T => config;

export function formatOf(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (['.ts', '.mts', '.mjs', '.js'].includes(ext)) return 'module';
  throw new ConfigFileError(path, `${path}: unsupported config file type ${ext || '(none)'}; use .yaml, .yml, .json, .ts or .mjs`);
}

/** The first default config file in `dir`, or null. */
export function findConfigFile(dir = process.cwd()): string | null {
  return DEFAULT_CONFIG_FILES.map((f) => join(dir, f)).find((p) => existsSync(p)) ?? null;
}

/** A YAML or JSON document's value (not yet validated). */
export function parseConfigText(text: string, format: 'yaml' | 'json', path = '(inline)'): unknown {
  try {
    if (format === 'json') return JSON.parse(text);
    // merge: YAML `<<: *defaults` keys, handy for environments sharing settings.
    return parseYaml(text, { merge: true, prettyErrors: true });
  } catch (e) {
    throw new ConfigFileError(path, `${path} is not valid ${format.toUpperCase()}: ${(e as Error).message}`);
  }
}

async function importModule(path: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const tsHint = err.code === 'ERR_UNKNOWN_FILE_EXTENSION' ? ' (a .ts config needs tsx: run `npm run lumina -- …` or `node --import tsx …`)' : '';
    throw new ConfigFileError(path, `cannot import ${path}${tsHint}: ${err.message}`);
  }
  const value = mod.default;
  if (value === undefined) throw new ConfigFileError(path, `${path} has no default export; export the config object (defineDeliveryConfig({ … }))`);
  return typeof value === 'function' ? await (value as () => unknown)() : value;
}

/** Reads the raw (unvalidated) config from a file. */
export async function readDeliveryConfigFile(path: string): Promise<{ format: ConfigFormat; raw: unknown }> {
  const format = formatOf(path);
  if (!existsSync(path)) throw new ConfigFileError(path, `config file not found: ${resolve(path)}`);
  if (format === 'module') return { format, raw: await importModule(path) };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(path, `cannot read ${path}: ${(e as Error).message}`);
  }
  return { format, raw: parseConfigText(text, format, path) };
}

/**
 * Loads and validates a delivery config file: YAML (.yaml/.yml), JSON, or a module's default export
 * (.ts/.mjs; an object, or a function returning one). ConfigFileError when it cannot be read or parsed,
 * InvalidConfigError (every issue) when it is not a valid config.
 */
export async function loadDeliveryConfigFile(path: string): Promise<LoadedDeliveryConfig> {
  const { format, raw } = await readDeliveryConfigFile(path);
  return { path, format, ...parseDeliveryFile(raw) };
}
