import type { MetricAnalysis } from './classify.js';
import type { ScoreResult, Scoring } from './score.js';
import type { Thresholds } from './config.js';

/**
 * One readable sentence per metric and one for the judgement, built only from the numbers stored next to them, e.g.
 *   "p99 latency rose 38 % (95 % CI +21 % to +55 %) over baseline; allowed 20 %: HIGH — critical"
 * Percentages are relative to the baseline's effect measure (mean or median); the CI is the Hodges–Lehmann shift's.
 */

/** "38" for |x| ≥ 10, "4.5" below, "0.04" below 0.1 — enough digits to be read, not more. */
export function fmtPct(x: number): string {
  const a = Math.abs(x);
  const digits = a >= 10 ? 0 : a >= 0.1 ? 1 : 2;
  const s = x.toFixed(digits);
  return digits && s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

const signedPct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${fmtPct(Math.abs(x))} %`;

/** Three significant digits: "412", "0.00123", "1.23e+9". */
export const fmtValue = (x: number): string => String(Number(x.toPrecision(3))).replace('-', '−');

const signedValue = (x: number) => `${x > 0 ? '+' : ''}${fmtValue(x)}`;

export const fmtConfidence = (c: number) => `${fmtPct(100 * c)} %`;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function dropNote(a: MetricAnalysis): string {
  const parts: string[] = [];
  if (a.canary.dropped) parts.push(`${a.canary.dropped} canary`);
  if (a.baseline.dropped) parts.push(`${a.baseline.dropped} baseline`);
  return parts.length ? ` (non-finite values dropped: ${parts.join(', ')})` : '';
}

const NODATA_EFFECT: Record<MetricAnalysis['noData'], string> = {
  fail: 'counts as a failure',
  count: 'counts against the score',
  ignore: 'left out of the score',
};

function changePhrase(a: MetricAnalysis): string {
  const e = a.effect!;
  const s = a.shift!;
  const conf = fmtConfidence(s.confidence);
  let ci: string;
  if (!s.bounded) ci = `too few samples for a ${conf} CI`;
  else if (s.lowerPct !== null && s.upperPct !== null) ci = `${conf} CI ${signedPct(s.lowerPct)} to ${signedPct(s.upperPct)}`;
  else if (s.lower !== null && s.upper !== null) ci = `shift ${conf} CI ${signedValue(s.lower)} to ${signedValue(s.upper)}`;
  else ci = `${conf} CI beyond the range of numbers`;
  // On tied data the interval can contain 0 while the (tie-corrected) rank test decides: then show the test's p too.
  const t = a.test!;
  const p = Math.min(t.pGreater, t.pLess);
  if (s.bounded && s.lower !== null && s.upper !== null && s.lower <= 0 && s.upper >= 0 && p <= (1 - s.confidence) / 2) {
    ci += `, one-sided rank test p ${p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`}`;
  }
  if (e.changePct === null) {
    const c = e.canary === null ? 'a value beyond the range of numbers' : fmtValue(e.canary);
    return `${a.label} ${e.canary !== null && e.canary < 0 ? 'fell' : 'rose'} from 0 on baseline to ${c} (${ci})`;
  }
  if (e.changePct > 0) return `${a.label} rose ${fmtPct(e.changePct)} % (${ci}) over baseline`;
  if (e.changePct < 0) return `${a.label} fell ${fmtPct(-e.changePct)} % (${ci}) below baseline`;
  return `${a.label} was unchanged (${ci}) against baseline`;
}

/** The sentence for one metric, ending in its verdict; "— critical" marks a failure that fails the judgement. */
export function explainMetric(a: MetricAnalysis, scoring: Scoring): string {
  const critical = a.critical && scoring === 'failed' ? ' — critical' : '';
  if (a.outcome === 'nodata') {
    return (
      `${a.label}: no data — ${plural(a.canary.n, 'finite canary value')} and ${plural(a.baseline.n, 'finite baseline value')}, ` +
      `${a.minSamples} needed on each side${dropNote(a)}: NODATA, ${NODATA_EFFECT[a.noData]}${critical}`
    );
  }
  const conf = fmtConfidence(a.shift!.confidence);
  let verdict: string;
  switch (a.reason) {
    case 'not-significant':
      verdict = `not significant at ${conf}: PASS`;
      break;
    case 'within-tolerance':
      verdict = `within the tolerance of ±${fmtValue(a.tolerance)}: PASS`;
      break;
    case 'harmless-direction':
      verdict = `only ${a.direction === 'increase' ? 'an increase' : 'a decrease'} is bad for this metric: PASS`;
      break;
    default: {
      const up = a.test!.pGreater <= a.test!.pLess;
      const allowed = up ? `allowed ${fmtPct(a.allowed.increasePct ?? 0)} %` : `allowed ${fmtPct(a.allowed.decreasePct ?? 0)} % decrease`;
      verdict = `${allowed}: ${a.outcome === 'pass' ? 'PASS' : a.outcome.toUpperCase()}`;
    }
  }
  return `${changePhrase(a)}; ${verdict}${critical}${dropNote(a)}`;
}

/** The sentence for the whole judgement. */
export function explainJudgement(
  s: ScoreResult,
  thresholds: Thresholds,
  metrics: readonly { label: string; critical: boolean; outcome: MetricAnalysis['outcome']; scoring: Scoring }[],
): string {
  const head = `score ${s.score} — ${s.classification.toUpperCase()} (pass ≥ ${thresholds.pass}, fail ≤ ${thresholds.marginal})`;
  const failed = metrics.filter((m) => m.scoring === 'failed');
  const list = (ms: typeof failed) => ms.map((m) => `${m.label} (${m.outcome.toUpperCase()})`).join(', ');
  if (s.criticalFailures.length) {
    const crit = failed.filter((m) => m.critical);
    const others = failed.filter((m) => !m.critical);
    return `${head}: critical metric${crit.length === 1 ? '' : 's'} ${list(crit)} failed` + (others.length ? `; also failed: ${list(others)}` : '');
  }
  if (s.insufficientData) return `${head}: no metric had enough data to be judged`;
  const scored = metrics.filter((m) => m.scoring !== 'ignored');
  const passed = scored.filter((m) => m.scoring === 'passed').length;
  const nodata = metrics.filter((m) => m.outcome === 'nodata').length;
  return (
    `${head}: ${passed} of ${plural(scored.length, 'scored metric')} passed` +
    (failed.length ? `; failed: ${list(failed)}` : '') +
    (nodata ? `; ${nodata} without data` : '')
  );
}

