import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dashboardBundle, isDashboardPath } from '../../local/ui.js';
import { weightSeries } from '../../web/series.js';

/** The dashboard's pure parts and its build: web/ typechecks on its own tsconfig and bundles with esbuild. */

const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString();
const set = (s: number, from: number, to: number) => ({ at: at(s), actor: 'system:engine', action: 'weight.set', reason: `canary weight ${from} % → ${to} %`, data: { from, to } });

describe('weightSeries (the weight-over-time chart)', () => {
  it('starts at the first entry’s from, steps at each weight.set and runs on to the end time', () => {
    const audit = [{ at: at(0.5), actor: 'event:x', action: 'rollout.created', reason: 'push' }, set(1, 0, 50), set(9, 50, 100)];
    expect(weightSeries(at(0), audit, Date.parse(at(12)))).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 50 },
      { x: 9, y: 100 },
      { x: 12, y: 100 },
    ]);
  });

  it('is a flat 0 % line when no weight was set yet, and does not extend past its last point into the past', () => {
    expect(weightSeries(at(0), [], Date.parse(at(0)))).toEqual([{ x: 0, y: 0 }]);
    expect(weightSeries(at(0), [set(5, 0, 10)], Date.parse(at(3)))).toEqual([
      { x: 0, y: 0 },
      { x: 5, y: 10 },
    ]);
  });
});

describe('the dashboard build', () => {
  it('serves / and /ui/* only', () => {
    expect(['/', '/ui', '/ui/', '/ui/app.js'].every(isDashboardPath)).toBe(true);
    expect(['/api/services', '/uix', '/health'].some(isDashboardPath)).toBe(false);
  });

  it('web/ typechecks with its own tsconfig (preact JSX, DOM lib)', async () => {
    const r = await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json']).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }));
    expect(r.stdout).toBe('');
  }, 30_000);

  it('bundles web/main.tsx in memory, once', async () => {
    const js = await dashboardBundle();
    expect(js).toContain('Lumina Deploy');
    expect(await dashboardBundle()).toBe(js);
  });
});
