/**
 * The variants of a seed flag (semantics in `compile.ts` and `README.md`):
 * - no `variants`: a boolean flag with the implicit variants `on` (true) and `off` (false);
 * - `variants` as an object `{ "<name>": { "value"?: any, "weight"?: number } }` or as an array
 *   `[{ "name": string, "value"?: any, "weight"?: number }]`. A variant without `value` has its name
 *   as value (a string). All values share one type (boolean / string / number / object, arrays being
 *   objects). `default_variant` is required and names the variant served whenever the flag is "off"
 *   for a user. When any variant has a `weight`, the weights (absent = 0) must sum to 100 and the
 *   flag's "on" outcome is a weighted split; the split's ranges follow the array order, or, for the
 *   object form, the names sorted by UTF-16 code units (so reformatting the JSON never moves users).
 */
import { typeOf, type FlagType, type FlagValue } from '../model.js';
import { checkKeys, checkPercentage, freezeJson, isRecord, own, type Issues, type Path } from './issues.js';

export interface Outcome {
  variant: string;
  value: FlagValue;
}

/** One range of a weighted split: picked when `variantBucket < upper` (and no earlier range matched). */
export interface SplitRange extends Outcome {
  upper: number;
}

export interface FlagVariants {
  type: FlagType;
  byName: ReadonlyMap<string, Outcome>;
  /** Served when the flag is off for the user: `off`, or the `default_variant`. */
  off: Outcome;
  /** Served when the flag is on for the user: `on`, the `default_variant`, or a weighted split. */
  on: Outcome | SplitRange[];
}

const ON: Outcome = { variant: 'on', value: true };
const OFF: Outcome = { variant: 'off', value: false };
export const BOOLEAN_VARIANTS: FlagVariants = {
  type: 'boolean',
  byName: new Map([['on', ON], ['off', OFF]]),
  off: OFF,
  on: ON,
};

const WEIGHT_TOLERANCE = 1e-9;

interface Declared {
  name: string;
  path: Path;
  raw: Record<string, unknown>;
}

/** Validates `variants` and `default_variant` of the values entry at `path`; `null` when invalid. */
export function compileVariants(issues: Issues, entry: Record<string, unknown>, path: Path): FlagVariants | null {
  const rawVariants = own(entry, 'variants');
  const rawDefault = own(entry, 'default_variant');
  const defaultPath = [...path, 'default_variant'];
  if (rawVariants === undefined) {
    if (rawDefault !== undefined) {
      issues.add(defaultPath, 'is only allowed with variants (a flag without variants is boolean: on / off)');
      return null;
    }
    return BOOLEAN_VARIANTS;
  }
  const before = issues.count;
  const variantsPath = [...path, 'variants'];
  const declared = declare(issues, rawVariants, variantsPath);
  if (!declared) return null;

  const byName = new Map<string, Outcome>();
  const weights = new Map<string, number>();
  let type: { type: FlagType; from: string } | null = null;
  for (const { name, path: vpath, raw } of declared) {
    const hasValue = own(raw, 'value') !== undefined;
    const value = hasValue ? freezeJson(issues, own(raw, 'value'), [...vpath, 'value']) : name;
    const valueType = typeOf(value);
    if (value === null) issues.add([...vpath, 'value'], 'must not be null');
    if (value === null || value === undefined || valueType === null) continue;
    if (type === null) type = { type: valueType, from: name };
    else if (type.type !== valueType) {
      issues.add(
        hasValue ? [...vpath, 'value'] : vpath,
        `all variants of a flag must share one type: "${type.from}" is ${type.type}, this is ${valueType}${hasValue ? '' : ' (a variant without value has its name as value)'}`,
      );
    }
    byName.set(name, { variant: name, value });
    const weight = own(raw, 'weight');
    if (weight !== undefined) {
      const w = checkPercentage(issues, weight, [...vpath, 'weight']);
      if (w !== undefined) weights.set(name, w);
    }
  }

  let defaultVariant: Outcome | undefined;
  if (rawDefault === undefined) {
    issues.add(defaultPath, 'is required with variants (it is served when the flag is off for a user)');
  } else if (typeof rawDefault !== 'string' || !declared.some((d) => d.name === rawDefault)) {
    issues.add(defaultPath, `must name a declared variant (${declared.map((d) => d.name).join(', ')})`);
  } else {
    defaultVariant = byName.get(rawDefault);
  }

  let split: SplitRange[] | undefined;
  if (weights.size > 0) {
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    if (Math.abs(total - 100) > WEIGHT_TOLERANCE) issues.add(variantsPath, `variant weights must sum to 100 (they sum to ${total})`);
    const order = Array.isArray(rawVariants) ? declared.map((d) => d.name) : declared.map((d) => d.name).sort();
    let upper = 0;
    split = [];
    for (const name of order) {
      const w = weights.get(name) ?? 0;
      const outcome = byName.get(name);
      if (w <= 0 || !outcome) continue;
      upper += w;
      split.push({ ...outcome, upper });
    }
    // The last range catches everything, whatever the floating-point sum of the weights.
    const last = split[split.length - 1];
    if (last) last.upper = Infinity;
  }

  if (issues.count > before || !type || !defaultVariant) return null;
  return { type: type.type, byName, off: defaultVariant, on: split ?? defaultVariant };
}

/** The variants in document order with their paths; `null` (issues added) when the shape is wrong. */
function declare(issues: Issues, raw: unknown, path: Path): Declared[] | null {
  const out: Declared[] = [];
  const before = issues.count;
  const allowed = ['value', 'weight'];
  if (Array.isArray(raw)) {
    const seen = new Set<string>();
    for (let i = 0; i < raw.length; i++) {
      const item: unknown = raw[i];
      const ipath = [...path, i];
      if (!isRecord(item)) {
        issues.add(ipath, 'must be an object { name, value?, weight? }');
        continue;
      }
      checkKeys(issues, item, ['name', ...allowed], ipath);
      const name = own(item, 'name');
      if (typeof name !== 'string' || name === '') issues.add([...ipath, 'name'], 'must be a non-empty string');
      else if (seen.has(name)) issues.add([...ipath, 'name'], `duplicate variant name "${name}"`);
      else {
        seen.add(name);
        out.push({ name, path: ipath, raw: item });
      }
    }
  } else if (isRecord(raw)) {
    for (const name of Object.keys(raw)) {
      const item = raw[name];
      const ipath = [...path, name];
      if (name === '') issues.add(ipath, 'variant names must be non-empty');
      else if (!isRecord(item)) issues.add(ipath, 'must be an object { value?, weight? }');
      else {
        checkKeys(issues, item, allowed, ipath);
        out.push({ name, path: ipath, raw: item });
      }
    }
  } else {
    issues.add(path, 'must be an object of variants or an array of { name, value?, weight? }');
    return null;
  }
  if (out.length === 0 && issues.count === before) issues.add(path, 'must declare at least one variant');
  return out.length === 0 ? null : out;
}
