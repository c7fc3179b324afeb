/**
 * Compiler for the **seed flag format**: Lumina's original feature-flag document, hosted in AWS
 * AppConfig, compiled to the shared model of `../model.ts`. `README.md` next to this file is the
 * reference with examples; this comment is the normative summary.
 *
 * DOCUMENT
 *   {
 *     "version"?:  string | number,                 // copied to the set metadata as `version`
 *     "metadata"?: { <key>: string | number | boolean },
 *     "flags":  { <flagKey>: { "name": string, "description"?: string } },
 *     "values": { <flagKey>: {
 *         "enabled": boolean,
 *         "rollout_percentage"?: number,             // 0..100
 *         "rules"?: [ { "name": string, "enabled": boolean,
 *                       "conditions": [ { "attribute": string, "operator": string, "values"?: [...] } ],
 *                       "variant"?: string, "rollout_percentage"?: number } ],
 *         "variants"?: { <name>: { "value"?: any, "weight"?: number } } | [ { "name", "value"?, "weight"? } ],
 *         "default_variant"?: string } }
 *   }
 * - Every key of `values` is declared in `flags` and every declared flag has a `values` entry.
 * - Flag keys: 1-128 characters `[A-Za-z0-9_.-]`, starting with a letter or digit (never `/`: the
 *   bucket input `${flagKey}/${targetingKey}` must be unambiguous).
 * - Unknown properties are errors at every level (a misspelt `rollout_percentage` must not silently
 *   turn a 25 % rollout into 100 %). All problems are reported at once in one `InvalidFlagsError`,
 *   each with its exact path, e.g. `values.new-checkout.rules[1].conditions[0].values[0]`.
 *
 * VARIANTS
 * - Without `variants` a flag is boolean, with the variants `on` (true) and `off` (false); its "on
 *   outcome" is `on` and its "off outcome" is `off`. `default_variant` is not allowed there.
 * - With `variants` (object or array form) the values of all variants share one type (boolean,
 *   string, number, object; arrays count as objects); a variant without `value` has its name as value.
 *   `default_variant` is required and is the off outcome. If any variant has a `weight` (0..100;
 *   absent = 0), the weights must sum to 100 and the on outcome is a weighted split (reason SPLIT);
 *   otherwise the on outcome is `default_variant`. Split ranges follow the array order, or for the
 *   object form the variant names sorted by UTF-16 code units.
 * - A rule's `variant` must name a variant of the flag (`on` / `off` for boolean flags); a rule
 *   without `variant` serves the on outcome.
 *
 * EVALUATION ORDER (first step that decides wins; `evaluate` never throws)
 *  1. `enabled: false` -> off outcome, reason DISABLED (the context is not looked at).
 *  2. The context is not an object, or its `targetingKey` is neither a string nor absent / null
 *     -> ERROR INVALID_CONTEXT. An empty-string targetingKey counts as absent.
 *  3. Rules in document order; disabled rules are skipped. The first rule whose conditions ALL match
 *     (an empty list matches everyone) decides:
 *     - without `rollout_percentage`: the rule's variant (or the on outcome), reason TARGETING_MATCH;
 *     - with `rollout_percentage`: the rule matches only if the user's rollout bucket is below it ->
 *       reason SPLIT; a user outside it falls through to the next rule (add a later rule with the same
 *       conditions and `"variant": "off"` to keep them off). No targetingKey -> see step 5.
 *  4. No rule matched:
 *     - with the flag's `rollout_percentage`: bucket < percentage -> on outcome, reason SPLIT;
 *       otherwise the off outcome, reason DEFAULT (`"rollout_percentage": 0` makes a flag that is on
 *       only for its rules);
 *     - without it: the on outcome, reason STATIC when the flag has no enabled rule, DEFAULT when it
 *       has rules but none matched (OpenFeature: a fallback after dynamic evaluation gave no result).
 *     A weighted split anywhere gives reason SPLIT.
 *  5. When the answer depends on a bucket (a rollout strictly between 0 and 100, or a split between
 *     two or more variants) and the context has no targetingKey -> ERROR TARGETING_KEY_MISSING,
 *     evaluation stops there. A rollout of 0 (nobody) or 100 (everybody, reason SPLIT) and a split
 *     where one variant has all the weight need no key.
 *  Errors (ERROR reason) still carry the off outcome's `value` and `variant`, so a caller that reads
 *  `value` gets the safe side; an unexpected exception becomes ERROR GENERAL the same way.
 *
 * BUCKETING (`bucket.ts`): sticky and identical on every machine.
 *   rollout bucket = murmur3_x86_32(utf8(`${flagKey}/${targetingKey}`), seed 0) % 10000 / 100
 *   variant bucket = the same with seed 86028157 (independent of the rollout decision)
 *   A bucket is in [0, 100) in steps of 0.01; "in" means `bucket < percentage`, and a split picks the
 *   first range whose cumulative weight exceeds the variant bucket. Raising a percentage only adds
 *   users; changing weights moves users between variants.
 *
 * CONDITIONS (`conditions.ts`)
 * - `attribute`: `targetingKey`, a top-level name (`plan`), or a dotted path (`user.plan`: a literal
 *   top-level key "user.plan" if the context has one, else nested objects; arrays are not indexed).
 *   `$now` is the evaluation time in epoch ms; other `$` names are reserved (validation error).
 * - A missing or `null` attribute fails every operator except `not_exists` (negated operators
 *   included: `not_in ["US"]` does not match a user without a country). A value whose type does not
 *   suit the operator is no match, never an error.
 * - `values`: a non-empty array (absent or empty for `exists` / `not_exists`), validated per operator
 *   at load. OR for positive operators (any value), AND for negated ones (differs from every value).
 * - equals / in, not_equals / not_in: strings, finite numbers, booleans; strict equality, no type
 *   coercion (`"1"` never equals `1`). `in` and `equals` are synonyms, as are `not_in` / `not_equals`.
 * - starts_with, ends_with, contains, not_contains: strings; the attribute must be a string.
 * - gt, gte, lt, lte: finite numbers; the attribute must be a number (numeric strings are NOT coerced).
 * - semver_eq, semver_neq, semver_gt, semver_gte, semver_lt, semver_lte: strict SemVer 2.0.0 with an
 *   optional leading `v`, precedence per the spec (pre-releases sort before their release, build
 *   metadata ignored). Invalid in the config -> validation error; invalid in the context -> false.
 * - before, after: ISO-8601 dates (`2025-06-01` = midnight UTC) or date-times with `Z` / an offset,
 *   or epoch milliseconds; the attribute may also be a `Date`. Strict: a date-time without offset is
 *   rejected (it would depend on the machine's time zone).
 * - exists, not_exists: presence (not missing, not null).
 * - All string comparisons are case-sensitive and exact (no Unicode normalisation): normalise
 *   attributes in the application if needed.
 *
 * RESOLUTION: `{ key, value, variant, reason, metadata }` (+ `errorCode`, `errorMessage` on errors).
 * `metadata` is the set metadata (document `metadata` plus `version`) overlaid with the flag's `name`
 * and `description`. Values and metadata are frozen and shared between resolutions.
 * Conditions, variants and percentages are compiled once into closures and constants; an
 * evaluation does no parsing of the configuration.
 */
import { InvalidFlagsError, type CompiledFlag, type FlagMetadata, type FlagSet } from '../model.js';
import { compileFlag } from './flag.js';
import { checkKeys, isRecord, Issues, own } from './issues.js';

export const FLAG_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Compiles a seed document (parsed JSON). Throws `InvalidFlagsError` listing every problem with its path. */
export function compileSeed(doc: unknown): FlagSet {
  if (!isRecord(doc)) throw new InvalidFlagsError('seed', [{ path: '', message: 'must be an object { flags, values }' }]);
  const issues = new Issues();
  checkKeys(issues, doc, ['version', 'metadata', 'flags', 'values'], []);
  const setMetadata = compileSetMetadata(issues, doc);

  const flags = own(doc, 'flags');
  const values = own(doc, 'values');
  if (!isRecord(flags)) issues.add(['flags'], 'is required: an object of flag declarations { <key>: { name, description? } }');
  if (!isRecord(values)) issues.add(['values'], 'is required: an object of flag values { <key>: { enabled, ... } }');
  if (!isRecord(flags) || !isRecord(values)) throw new InvalidFlagsError('seed', issues.list);

  const compiled = new Map<string, CompiledFlag>();
  for (const key of Object.keys(flags)) {
    const path = ['flags', key];
    if (!FLAG_KEY_PATTERN.test(key)) {
      issues.add(path, 'invalid flag key: 1-128 characters A-Z a-z 0-9 _ . -, starting with a letter or digit');
      continue;
    }
    const metadata = compileDeclaration(issues, flags[key], setMetadata, path);
    const entry = own(values, key);
    if (entry === undefined) {
      issues.add(['values', key], `flag "${key}" is declared in flags but has no values entry`);
      continue;
    }
    const flag = metadata && compileFlag(issues, key, entry, metadata, ['values', key]);
    if (flag) compiled.set(key, flag);
  }
  for (const key of Object.keys(values)) {
    if (own(flags, key) === undefined) issues.add(['values', key], `"${key}" is not declared in flags`);
  }

  if (issues.count > 0) throw new InvalidFlagsError('seed', issues.list);
  return { format: 'seed', flags: compiled, metadata: setMetadata };
}

/** `flags.<key>`: `{ name, description? }` -> the flag's metadata (set metadata overlaid with them). */
function compileDeclaration(issues: Issues, raw: unknown, setMetadata: FlagMetadata, path: string[]): FlagMetadata | null {
  if (!isRecord(raw)) {
    issues.add(path, 'must be an object { name, description? }');
    return null;
  }
  const before = issues.count;
  checkKeys(issues, raw, ['name', 'description'], path);
  const name = own(raw, 'name');
  const description = own(raw, 'description');
  if (typeof name !== 'string' || name === '') issues.add([...path, 'name'], 'must be a non-empty string');
  if (description !== undefined && typeof description !== 'string') issues.add([...path, 'description'], 'must be a string');
  if (issues.count > before || typeof name !== 'string') return null;
  return Object.freeze({ ...setMetadata, name, ...(typeof description === 'string' ? { description } : {}) });
}

/** Document `metadata` (string / number / boolean values) plus `version` (the metadata's own `version` wins). */
function compileSetMetadata(issues: Issues, doc: Record<string, unknown>): FlagMetadata {
  const entries: [string, string | number | boolean][] = [];
  const version = own(doc, 'version');
  if (version !== undefined) {
    if ((typeof version === 'string' && version !== '') || (typeof version === 'number' && Number.isFinite(version))) entries.push(['version', version]);
    else issues.add(['version'], 'must be a non-empty string or a finite number');
  }
  const metadata = own(doc, 'metadata');
  if (metadata !== undefined) {
    if (!isRecord(metadata)) issues.add(['metadata'], 'must be an object of string, number or boolean values');
    else {
      for (const key of Object.keys(metadata)) {
        const value = metadata[key];
        if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) entries.push([key, value]);
        else issues.add(['metadata', key], 'must be a string, a finite number or a boolean');
      }
    }
  }
  return Object.freeze(Object.fromEntries(entries));
}
