import type { AuditEntry } from '../core/delivery/rollout.js';
import { phaseOf } from '../core/delivery/phase.js';
import { closeDemo, findRollout, loadDemoConfig, pushImage, startDemo, TRAFFIC_RPS, waitForEnd } from './demo.js';
import { fmt, heading, pollUntil, ratio, signed, table, verdict, wallMs } from './util.js';

/**
 * Control-plane overhead of a healthy 5-stage canary over the sum of its stage durations.
 * Total = wall time from just before the PutEvents call to the rollout's phase being Healthy (repo polled
 * every 50 ms). Stage boundaries come from the rollout's audit log: `weight.set` entries start stages, the
 * next `weight.set` (or `rollout.promoted` for the last stage) ends them. Audit times are taken by each task
 * when it starts (its clock read), so a boundary is "the task that moves traffic began".
 */

const OVERHEAD_TARGET_PCT = 5;
const POLL_MS = 50;
const HEALTHY_TIMEOUT_MS = 150_000;

export interface StageRow {
  stage: number;
  weight: number;
  startS: number;
  durationS: number;
  nominalS: number;
  overheadS: number;
  stepCompletedAfterS: number | null;
  analyses: number;
  passed: number;
  /** Mean of (gap between consecutive Analyse clock reads − analysis interval), ms: the per-cycle task cost. */
  cycleOverheadMs: number | null;
}

export interface OverheadResult {
  baseline: { name: 'sum of stage durations'; seconds: number; stages: number; stageSeconds: number };
  target: { overheadPct: number };
  trafficRps: number;
  startupS: number;
  rolloutId: string;
  phase: string;
  totalS: number;
  overheadS: number;
  overheadPct: number;
  verdict: string;
  segments: { name: string; seconds: number }[];
  stages: StageRow[];
  audit: { at: string; action: string; offsetS: number }[];
}

const at = (e: AuditEntry | undefined) => (e ? Date.parse(e.at) : Number.NaN);

export async function runOverhead(log: (s: string) => void): Promise<OverheadResult> {
  const config = loadDemoConfig();
  const baseline = config.stages.length * config.stageSeconds;
  log(
    heading(
      'overhead — healthy canary: wall time vs the sum of its stage durations',
      `demo config: ${config.stages.join(' → ')} %, ${config.stageSeconds} s per stage, analysed every ${config.intervalSeconds} s; ${TRAFFIC_RPS} req/s synthetic load; 1 run`,
    ),
  );
  const { rt, startupMs } = await startDemo(config);
  try {
    log(`runtime up in ${(startupMs / 1000).toFixed(1)} s; pushing a healthy image, ~${baseline + 5} s…`);
    const tag = `overhead-${Date.now().toString(36)}`;
    const pushed = await pushImage(rt, tag, 0);
    const t0 = pushed.putEventsAt;
    const created = await findRollout(rt, tag, POLL_MS);
    const { phase, seenAt } = await pollUntil(
      `rollout ${created.rolloutId} to end`,
      async () => {
        const r = await rt.repo.getRollout(created.rolloutId);
        const p = r ? phaseOf(r).phase : undefined;
        return p && ['Healthy', 'RolledBack', 'Aborted', 'Failed'].includes(p) ? { phase: p, seenAt: wallMs() } : undefined;
      },
      POLL_MS,
      HEALTHY_TIMEOUT_MS,
    );
    const r = await waitForEnd(rt, created.rolloutId);
    const measurements = await rt.repo.listMeasurements(created.rolloutId);

    const totalS = (seenAt - t0) / 1000;
    const overheadS = totalS - baseline;
    const overheadPct = (100 * overheadS) / baseline;
    const weightSets = r.audit.filter((a) => a.action === 'weight.set');
    const completed = r.audit.filter((a) => a.action === 'step.completed');
    const promoted = r.audit.find((a) => a.action === 'rollout.promoted');
    const stages: StageRow[] = weightSets.map((w, i) => {
      const start = at(w);
      const end = i + 1 < weightSets.length ? at(weightSets[i + 1]) : at(promoted);
      const stepIndex = Number((w.data as { stepIndex?: number } | undefined)?.stepIndex ?? -1);
      const done = completed.find((c) => Number((c.data as { stepIndex?: number } | undefined)?.stepIndex) === stepIndex + 1);
      const weight = Number((w.data as { to?: number } | undefined)?.to ?? Number.NaN);
      const ms = measurements.filter((m) => m.stepIndex === stepIndex + 1).sort((a, b) => Date.parse(a.to) - Date.parse(b.to));
      const reads = [start, ...ms.map((m) => Date.parse(m.to))];
      const gaps = reads.slice(1).map((t, k) => t - reads[k]! - config.intervalSeconds * 1000);
      return {
        stage: i + 1,
        weight,
        startS: (start - t0) / 1000,
        durationS: (end - start) / 1000,
        nominalS: config.stageSeconds,
        overheadS: (end - start) / 1000 - config.stageSeconds,
        stepCompletedAfterS: done ? (at(done) - start) / 1000 : null,
        analyses: ms.length,
        passed: ms.filter((m) => m.verdict === 'pass').length,
        cycleOverheadMs: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
      };
    });
    const firstWeight = at(weightSets[0]);
    const segments = [
      { name: 'PutEvents → rollout.created (bus, rule, trigger)', seconds: (at(r.audit.find((a) => a.action === 'rollout.created')) - t0) / 1000 },
      { name: 'rollout.created → Prepare started (lock.acquired)', seconds: (at(r.audit.find((a) => a.action === 'lock.acquired')) - at(r.audit.find((a) => a.action === 'rollout.created'))) / 1000 },
      { name: 'Prepare started → first weight.set (canary process start)', seconds: (firstWeight - at(r.audit.find((a) => a.action === 'lock.acquired'))) / 1000 },
      { name: `stages (${weightSets.length}) — first weight.set → rollout.promoted`, seconds: (at(promoted) - firstWeight) / 1000 },
      { name: 'rollout.promoted → Healthy seen by the 50 ms poll', seconds: (seenAt - at(promoted)) / 1000 },
    ];
    const verdictText = phase === 'Healthy' ? verdict(overheadPct, OVERHEAD_TARGET_PCT) : `NOT MEASURED (${phase})`;

    log('');
    log(
      table(
        ['figure', 'seconds', `× baseline "sum of stage durations" (${baseline} s)`, 'note'],
        [
          ['sum of stage durations (baseline)', fmt(baseline, 3), '1.000×', `${config.stages.length} × ${config.stageSeconds} s`],
          ['PutEvents → Healthy (total)', fmt(totalS, 3), ratio(totalS, baseline, 3), `phase ${phase}`],
          ['overhead', signed(overheadS, 3), ratio(overheadS, baseline, 3), `${signed(overheadPct, 2)} % — target ≤ ${OVERHEAD_TARGET_PCT} %: ${verdictText}`],
        ],
        ['l', 'r', 'r', 'l'],
      ),
    );
    log('\nper stage (boundaries from audit weight.set; last stage ends at rollout.promoted; per-cycle cost = mean gap between');
    log(`Analyse clock reads minus the ${config.intervalSeconds} s interval, i.e. what each wait→analyse cycle adds)`);
    log(
      table(
        ['stage', 'weight %', 'starts at +s', 'duration s', 'nominal s', 'overhead s', '× nominal', 'step.completed after s', 'analyses (pass)', 'per-cycle cost ms'],
        stages.map((s) => [
          String(s.stage),
          String(s.weight),
          fmt(s.startS, 3),
          fmt(s.durationS, 3),
          fmt(s.nominalS, 0),
          signed(s.overheadS, 3),
          ratio(s.durationS, s.nominalS, 3),
          fmt(s.stepCompletedAfterS, 3),
          `${s.analyses} (${s.passed})`,
          fmt(s.cycleOverheadMs, 0),
        ]),
      ),
    );
    log('\nwhere the wall time went (segments add up to the total)');
    log(
      table(
        ['segment', 'seconds', '% of baseline'],
        [...segments.map((s) => [s.name, fmt(s.seconds, 3), `${fmt((100 * s.seconds) / baseline, 2)} %`]), ['total', fmt(totalS, 3), `${fmt((100 * totalS) / baseline, 2)} %`]],
      ),
    );
    log(`\noverhead ${signed(overheadS, 3)} s = ${signed(overheadPct, 2)} % of ${baseline} s: ${verdictText}${verdictText === 'PASS' ? '' : '  ← MISSED'}`);

    return {
      baseline: { name: 'sum of stage durations', seconds: baseline, stages: config.stages.length, stageSeconds: config.stageSeconds },
      target: { overheadPct: OVERHEAD_TARGET_PCT },
      trafficRps: TRAFFIC_RPS,
      startupS: startupMs / 1000,
      rolloutId: r.rolloutId,
      phase,
      totalS,
      overheadS,
      overheadPct,
      verdict: verdictText,
      segments,
      stages,
      audit: r.audit.map((a) => ({ at: a.at, action: a.action, offsetS: (Date.parse(a.at) - t0) / 1000 })),
    };
  } finally {
    await closeDemo(rt);
  }
}
