/** Plain-text rendering of a rollout for the terminal (no colours when not a TTY). */
export interface RolloutDoc {
  rolloutId: string;
  service: string;
  environment: string;
  image: string;
  stableImage: string | null;
  phase: string;
  message: string;
  step: { index: number; total: number };
  weights: { stable: number; canary: number };
  createdAt: string;
  failure: { reason: string; metric?: string; value?: unknown; threshold?: unknown; stage: number } | null;
  measurements?: {
    stepIndex: number;
    stage: number;
    verdict: string;
    error?: string;
    results: { metric: string; value: unknown; threshold: unknown; verdict: string; reason: string }[];
    judgement?: JudgementDoc;
  }[];
  audit?: { at: string; actor: string; action: string; reason: string }[];
}

/** The parts of a stored judgement (core/delivery/judged-analysis.ts) the terminal shows. */
export interface JudgementDoc {
  mode: string;
  counts: boolean;
  applicable: boolean;
  final: boolean;
  verdict: string;
  explanation: string;
  metrics: { outcome: string; explanation: string }[];
}

const SYMBOL: Record<string, string> = { Pending: '◷', Progressing: '◌', Paused: '⏸', Aborting: '✖', Healthy: '✔', RolledBack: '↺', Aborted: '✖', Failed: '⚠' };
const color = (code: number, s: string, on: boolean) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function bar(canary: number, width = 20): string {
  const filled = Math.round((canary / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function renderRollout(r: RolloutDoc, tty = false): string {
  const tone = r.phase === 'Healthy' ? 32 : r.phase === 'Progressing' || r.phase === 'Pending' ? 36 : r.phase === 'Paused' ? 33 : 31;
  const lines = [
    `${color(tone, `${SYMBOL[r.phase] ?? '?'} ${r.phase}`, tty)}  ${r.rolloutId}`,
    `  ${r.message}`,
    `  service   ${r.service} (${r.environment})`,
    `  image     ${r.image}`,
    `  stable    ${r.stableImage ?? '(none)'}`,
    `  step      ${Math.min(r.step.index + 1, r.step.total)}/${r.step.total}`,
    `  weights   stable ${String(r.weights.stable).padStart(3)} %  canary ${String(r.weights.canary).padStart(3)} %  ${bar(r.weights.canary)}`,
  ];
  const last = r.measurements?.at(-1);
  if (last) {
    lines.push(`  analysis  last measurement at ${last.stage} %: ${last.verdict}${last.error ? ` (${last.error})` : ''}`);
    for (const m of last.results) lines.push(`            ${m.verdict === 'pass' ? '✔' : m.verdict === 'fail' ? '✖' : '?'} ${m.reason}`);
  }
  const judged = r.measurements?.filter((m) => m.judgement?.applicable).at(-1);
  if (judged?.judgement) {
    const j = judged.judgement;
    const role = j.counts ? `judgeMode ${j.mode}` : 'shadow: recorded, not deciding';
    lines.push(`  judge     ${j.explanation} — at ${judged.stage} %${j.final ? ', end of step' : ''} (${role})`);
    for (const m of j.metrics) lines.push(`            ${m.outcome === 'pass' ? '✔' : m.outcome === 'nodata' ? '?' : '✖'} ${m.explanation}`);
  }
  if (r.failure) {
    lines.push(`  ${color(31, 'why', tty)}       ${r.failure.reason}`);
    if (r.failure.metric) lines.push(`            metric ${r.failure.metric} = ${String(r.failure.value)} (threshold ${String(r.failure.threshold)}) at stage ${r.failure.stage} %`);
  }
  return lines.join('\n');
}

export const TERMINAL_PHASES = new Set(['Healthy', 'RolledBack', 'Aborted', 'Failed']);
