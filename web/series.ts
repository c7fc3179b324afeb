import type { AuditEntry } from './api.js';

/**
 * Canary weight over time from the audit log's `weight.set` entries (`data.from` → `data.to` at `at`), in seconds
 * since the rollout was created; the line ends now (or at the last entry of a finished rollout).
 */
export function weightSeries(createdAt: string, audit: AuditEntry[], until: number): { x: number; y: number }[] {
  const t0 = Date.parse(createdAt);
  const secs = (ms: number) => Math.round((ms - t0) / 100) / 10;
  const points: { x: number; y: number }[] = [];
  for (const a of audit) {
    if (a.action !== 'weight.set') continue;
    const from = Number(a.data?.from ?? 0);
    const to = Number(a.data?.to ?? 0);
    if (points.length === 0) points.push({ x: 0, y: Number.isFinite(from) ? from : 0 });
    points.push({ x: secs(Date.parse(a.at)), y: Number.isFinite(to) ? to : 0 });
  }
  if (points.length === 0) points.push({ x: 0, y: 0 });
  const last = points[points.length - 1]!;
  const end = secs(until);
  if (end > last.x) points.push({ x: end, y: last.y });
  return points;
}
