import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type ServiceSummary } from '../api.js';
import { LineChart } from '../chart.js';
import { usePoll } from '../hooks.js';
import { Section, Updated } from '../ui.js';

interface Metrics {
  from: string;
  to: string;
  counts: Record<string, number>;
  deploymentFrequency: { successful: number; perDay: number; perWeek: number };
  leadTime: { samples: number; medianMinutes: number | null };
  changeFailRate: number | null;
  recoveryTime: { samples: number; medianMinutes: number | null };
  reworkRate: number | null;
  levels: Record<'deploymentFrequency' | 'leadTime' | 'changeFailRate' | 'recoveryTime' | 'overall', string | null>;
}
interface DoraAnswer {
  window: { from: string; to: string; days: number; bucket: string };
  total: Metrics;
  buckets: (Metrics & { key: string })[];
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const show = (x: number | null, unit: string) => (x === null ? 'no data' : `${x}${unit}`);

/** The five DORA figures: how each is read from a bucket, its unit, and its level key (rework has none). */
const METRICS: { name: string; unit: string; of: (m: Metrics) => number | null; level?: keyof Metrics['levels'] }[] = [
  { name: 'Deployments (successful)', unit: '', of: (m) => m.deploymentFrequency.successful, level: 'deploymentFrequency' },
  { name: 'Lead time, median', unit: ' min', of: (m) => round(m.leadTime.medianMinutes), level: 'leadTime' },
  { name: 'Change fail rate', unit: ' %', of: (m) => pct(m.changeFailRate), level: 'changeFailRate' },
  { name: 'Recovery time, median', unit: ' min', of: (m) => round(m.recoveryTime.medianMinutes), level: 'recoveryTime' },
  { name: 'Rework rate', unit: ' %', of: (m) => pct(m.reworkRate) },
];

type Loaded = { available: true; dora: DoraAnswer } | { available: false; why: string };

/** DORA metrics (`GET /api/dora`): the window's levels and one chart per metric over the buckets. */
export function DoraPage() {
  const [services, setServices] = useState<ServiceSummary[]>([]);
  const [service, setService] = useState('');
  const [environment, setEnvironment] = useState('');
  const [bucket, setBucket] = useState('day');
  const [ready, setReady] = useState(false);

  useEffect(() => {
    getJson<{ services: ServiceSummary[] }>('/api/services').then(
      ({ services: s }) => {
        setServices(s);
        setEnvironment((cur) => cur || s[0]?.environment || 'production');
        setReady(true);
      },
      () => {
        setEnvironment((cur) => cur || 'production');
        setReady(true);
      },
    );
  }, []);

  const query = new URLSearchParams({ ...(service ? { service } : {}), environment: environment.trim() || 'production', bucket }).toString();
  return (
    <>
      <h1 tabIndex={-1}>DORA metrics</h1>
      <form class="actions" aria-label="DORA query" onSubmit={(e) => e.preventDefault()}>
        <label for="dora-service">Service</label>
        <select id="dora-service" value={service} onChange={(e) => setService(e.currentTarget.value)}>
          <option value="">all services</option>
          {services.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}
            </option>
          ))}
        </select>
        <label for="dora-environment">Environment</label>
        <input id="dora-environment" value={environment} onChange={(e) => setEnvironment(e.currentTarget.value)} size={12} />
        <label for="dora-bucket">Bucket</label>
        <select id="dora-bucket" value={bucket} onChange={(e) => setBucket(e.currentTarget.value)}>
          <option value="day">day</option>
          <option value="week">week</option>
          <option value="month">month</option>
        </select>
      </form>
      {/* Queried once the environment is known (the first service's, or production), not before. */}
      {ready ? <DoraResults query={query} /> : <p>Loading…</p>}
    </>
  );
}

function DoraResults({ query }: { query: string }) {
  const { data, error, updatedAt } = usePoll<Loaded>(async () => {
    try {
      return { available: true, dora: await getJson<DoraAnswer>(`/api/dora?${query}`) };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.code === 'RouteNotFound') return { available: false, why: e.message };
      throw e;
    }
  }, query);

  return (
    <>
      <Updated at={updatedAt} error={error} />
      {data && !data.available ? (
        <p class="notice error" data-testid="dora-unavailable">
          DORA metrics are unavailable on this API: {data.why}
        </p>
      ) : null}
      {data?.available ? <DoraView dora={data.dora} /> : null}
    </>
  );
}

function DoraView({ dora }: { dora: DoraAnswer }) {
  const labels = dora.buckets.map((b) => b.key);
  return (
    <>
      <Section title={`Window ${dora.window.from} to ${dora.window.to} (${dora.window.days} days)`}>
        <table data-testid="dora-levels">
          <caption>
            Totals and DORA 2024 performance levels · overall: <strong>{dora.total.levels.overall ?? 'no data'}</strong>
          </caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Value</th>
              <th scope="col">Level</th>
            </tr>
          </thead>
          <tbody>
            {METRICS.map((m) => (
              <tr key={m.name}>
                <th scope="row">{m.name}</th>
                <td>{show(m.of(dora.total), m.unit)}</td>
                <td>{m.level ? (dora.total.levels[m.level] ?? 'no data') : 'not levelled'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          From {dora.total.counts.deployments ?? 0} deployments, {dora.total.counts.changeFailures ?? 0} change failures, {dora.total.leadTime.samples} lead times and{' '}
          {dora.total.recoveryTime.samples} recoveries.
        </p>
      </Section>
      <Section title={`By ${dora.window.bucket}`}>
        <div class="charts">
          {METRICS.map((m) => (
            <LineChart
              key={m.name}
              label={`${m.name} by ${dora.window.bucket}: ${dora.buckets.map((b) => `${b.key} ${show(m.of(b), m.unit)}`).join(', ')}`}
              labels={labels}
              yTitle={m.name + m.unit}
              datasets={[{ label: m.name + m.unit, data: dora.buckets.map((b) => m.of(b)), borderColor: '#0969da', spanGaps: false, pointRadius: 3 }]}
            />
          ))}
        </div>
      </Section>
    </>
  );
}
