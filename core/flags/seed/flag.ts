/**
 * One seed flag: validates its `values` entry (rules, rollout, variants) and builds its evaluator.
 * The evaluation order is documented at the top of `compile.ts` and in `README.md`.
 */
import { readNow, type CompiledFlag, type ErrorCode, type EvaluationContext, type FlagMetadata, type NowSeconds, type Reason, type Resolution } from '../model.js';
import { rolloutBucket, variantBucket } from './bucket.js';
import { compileCondition, type Condition } from './conditions.js';
import { checkKeys, checkPercentage, isRecord, own, type Issues, type Path } from './issues.js';
import { compileVariants, type FlagVariants, type Outcome, type SplitRange } from './variants.js';

/** What a matching rule or the fallthrough serves: a fixed variant, or a weighted split. */
type Serve = Outcome | SplitRange[];

interface Rule {
  /** `rule "<name>"`, for error messages. */
  where: string;
  conditions: Condition[];
  /** When set, the rule only matches users whose rollout bucket is below it. */
  rollout: number | undefined;
  serve: Serve;
}

interface Compiled {
  enabled: boolean;
  rollout: number | undefined;
  /** Enabled rules only, in order. */
  rules: Rule[];
  /** Whether the flag has targeting at all (an enabled rule): decides STATIC vs DEFAULT at the fallthrough. */
  targeted: boolean;
  variants: FlagVariants;
}

const VALUES_KEYS = ['enabled', 'rollout_percentage', 'rules', 'variants', 'default_variant'];
const RULE_KEYS = ['name', 'enabled', 'conditions', 'variant', 'rollout_percentage'];

/** Validates the `values` entry of flag `key` (at `path`) and compiles it; `null` (issues added) when invalid. */
export function compileFlag(issues: Issues, key: string, entry: unknown, metadata: FlagMetadata, path: Path): CompiledFlag | null {
  const compiled = validateEntry(issues, entry, path);
  if (!compiled) return null;
  return { key, type: compiled.variants.type, metadata, evaluate: evaluator(key, compiled, metadata) };
}

function validateEntry(issues: Issues, entry: unknown, path: Path): Compiled | null {
  if (!isRecord(entry)) {
    issues.add(path, 'must be an object { enabled, rollout_percentage?, rules?, variants?, default_variant? }');
    return null;
  }
  const before = issues.count;
  checkKeys(issues, entry, VALUES_KEYS, path);
  const enabled = own(entry, 'enabled');
  if (typeof enabled !== 'boolean') issues.add([...path, 'enabled'], 'must be a boolean');
  const rawRollout = own(entry, 'rollout_percentage');
  const rollout = rawRollout === undefined ? undefined : checkPercentage(issues, rawRollout, [...path, 'rollout_percentage']);
  const variants = compileVariants(issues, entry, path);

  const rawRules = own(entry, 'rules');
  const rules: Rule[] = [];
  if (rawRules !== undefined && !Array.isArray(rawRules)) issues.add([...path, 'rules'], 'must be an array of rules');
  else if (rawRules) {
    for (let i = 0; i < rawRules.length; i++) {
      const rule = compileRule(issues, rawRules[i], variants, [...path, 'rules', i]);
      if (rule) rules.push(rule);
    }
  }
  if (issues.count > before || !variants || typeof enabled !== 'boolean') return null;
  return { enabled, rollout, rules, targeted: rules.length > 0, variants };
}

/** A rule, compiled when valid and enabled; disabled rules are validated and then dropped. */
function compileRule(issues: Issues, raw: unknown, variants: FlagVariants | null, path: Path): Rule | null {
  if (!isRecord(raw)) {
    issues.add(path, 'must be an object { name, enabled, conditions, variant?, rollout_percentage? }');
    return null;
  }
  const before = issues.count;
  checkKeys(issues, raw, RULE_KEYS, path);
  const name = own(raw, 'name');
  if (typeof name !== 'string' || name === '') issues.add([...path, 'name'], 'must be a non-empty string');
  const enabled = own(raw, 'enabled');
  if (typeof enabled !== 'boolean') issues.add([...path, 'enabled'], 'must be a boolean');
  const rawRollout = own(raw, 'rollout_percentage');
  const rollout = rawRollout === undefined ? undefined : checkPercentage(issues, rawRollout, [...path, 'rollout_percentage']);

  const variant = own(raw, 'variant');
  let serve: Serve | undefined = variants?.on;
  if (variant !== undefined) {
    const outcome = typeof variant === 'string' ? variants?.byName.get(variant) : undefined;
    if (outcome) serve = outcome;
    else if (variants || typeof variant !== 'string') {
      const names = variants ? [...variants.byName.keys()].join(', ') : 'a declared variant';
      issues.add([...path, 'variant'], `must name a variant of the flag (${names})`);
    }
  }

  const rawConditions = own(raw, 'conditions');
  const conditions: Condition[] = [];
  if (!Array.isArray(rawConditions)) issues.add([...path, 'conditions'], 'must be an array of conditions (empty: the rule matches everyone)');
  else {
    for (let i = 0; i < rawConditions.length; i++) {
      const condition = compileCondition(issues, rawConditions[i], [...path, 'conditions', i]);
      if (condition) conditions.push(condition);
    }
  }
  if (issues.count > before || !serve || typeof name !== 'string' || enabled !== true) return null;
  return { where: `rule "${name}"`, conditions, rollout, serve };
}

const isContext = (c: unknown): c is EvaluationContext => typeof c === 'object' && c !== null && !Array.isArray(c);

function pick(split: SplitRange[], bucket: number): Outcome {
  for (const range of split) if (bucket < range.upper) return range;
  return split[split.length - 1]!; // unreachable: the last range's upper bound is Infinity
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unprintable error';
  }
}

function evaluator(key: string, flag: Compiled, metadata: FlagMetadata): CompiledFlag['evaluate'] {
  const { off } = flag.variants;
  const { rules, rollout } = flag;
  const onReason: Reason = flag.targeted ? 'DEFAULT' : 'STATIC';
  const served = (outcome: Outcome, reason: Reason): Resolution => ({ key, value: outcome.value, variant: outcome.variant, reason, metadata });
  // Errors still carry the off outcome, so a caller that reads `value` gets the flag's safe side.
  const failed = (errorCode: ErrorCode, errorMessage: string): Resolution =>
    ({ key, value: off.value, variant: off.variant, reason: 'ERROR', errorCode, errorMessage, metadata });
  const missingKey = (what: string) =>
    failed('TARGETING_KEY_MISSING', `flag "${key}" needs a targetingKey (a non-empty string) for ${what}`);
  const serve = (what: Serve, reason: Reason, targetingKey: string | undefined, where: string): Resolution => {
    if (!Array.isArray(what)) return served(what, reason);
    if (what.length === 1) return served(what[0]!, 'SPLIT'); // one variant has all the weight: no bucket needed
    if (targetingKey === undefined) return missingKey(`the variant split of ${where}`);
    return served(pick(what, variantBucket(key, targetingKey)), 'SPLIT');
  };

  if (!flag.enabled) return () => served(off, 'DISABLED');

  return (context: EvaluationContext, nowSeconds: NowSeconds): Resolution => {
    try {
      if (!isContext(context)) return failed('INVALID_CONTEXT', 'the evaluation context must be an object');
      const rawKey: unknown = Object.prototype.hasOwnProperty.call(context, 'targetingKey') ? context.targetingKey : undefined;
      if (rawKey !== undefined && rawKey !== null && typeof rawKey !== 'string') {
        return failed('INVALID_CONTEXT', `targetingKey must be a string (got ${Array.isArray(rawKey) ? 'an array' : typeof rawKey})`);
      }
      const targetingKey = typeof rawKey === 'string' && rawKey !== '' ? rawKey : undefined;
      const nowMs = readNow(nowSeconds) * 1000; // (the seed format reads the clock eagerly; one Date.now per call)
      let bucket: number | undefined;

      for (const rule of rules) {
        if (rule.rollout !== undefined && rule.rollout <= 0) continue; // a 0 % rule matches nobody
        if (!rule.conditions.every((condition) => condition(context, nowMs))) continue;
        const { where } = rule;
        if (rule.rollout === undefined) return serve(rule.serve, 'TARGETING_MATCH', targetingKey, where);
        if (rule.rollout < 100) {
          if (targetingKey === undefined) return missingKey(`the rollout of ${where}`);
          bucket ??= rolloutBucket(key, targetingKey);
          if (bucket >= rule.rollout) continue;
        }
        return serve(rule.serve, 'SPLIT', targetingKey, where);
      }

      if (rollout === undefined) return serve(flag.variants.on, onReason, targetingKey, 'the flag');
      if (rollout <= 0) return served(off, 'DEFAULT');
      if (rollout < 100) {
        if (targetingKey === undefined) return missingKey('its percentage rollout');
        bucket ??= rolloutBucket(key, targetingKey);
        if (bucket >= rollout) return served(off, 'DEFAULT');
      }
      return serve(flag.variants.on, 'SPLIT', targetingKey, 'the flag');
    } catch (error) {
      return failed('GENERAL', `evaluation failed: ${describeError(error)}`);
    }
  };
}
