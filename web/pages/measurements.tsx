import type { Measurement } from '../api.js';
import { Verdict, time } from '../ui.js';

const fmt = (v: number | string | null) => (v === null ? 'no data' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : v);
const threshold = (t: number | string) => (typeof t === 'number' ? `≤ ${t}` : `= ${t}`);

/** Each analysis measurement: its metric values against their thresholds, verdicts, and the judge's sentences. */
export function Measurements({ measurements }: { measurements: Measurement[] }) {
  if (measurements.length === 0) return <p>No measurements yet.</p>;
  return (
    <table data-testid="measurements">
      <caption>Analysis measurements, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Window</th>
          <th scope="col">Step · canary %</th>
          <th scope="col">Requests</th>
          <th scope="col">Metric</th>
          <th scope="col">Value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {[...measurements].reverse().map((m, i) => {
          const rows = m.results.length ? m.results : [undefined];
          return rows.map((r, j) => (
            <tr key={`${m.from}-${i}-${j}`} data-testid="measurement-row">
              {j === 0 && (
                <>
                  <td rowSpan={rows.length}>
                    {time(m.from)}–{time(m.to)}
                  </td>
                  <td rowSpan={rows.length}>
                    step {m.stepIndex + 1} · {m.stage} %
                  </td>
                  <td rowSpan={rows.length}>{m.requests ?? '—'}</td>
                </>
              )}
              {r ? (
                <>
                  <td>{r.metric}</td>
                  <td>{fmt(r.value)}</td>
                  <td>{threshold(r.threshold)}</td>
                  <td>
                    <Verdict verdict={r.verdict} /> <small>{r.reason}</small>
                  </td>
                </>
              ) : (
                <td colSpan={4}>
                  <Verdict verdict={m.verdict} /> {m.error ?? ''}
                </td>
              )}
            </tr>
          )).concat(
            m.judgement
              ? [
                  <tr key={`${m.from}-${i}-judge`} data-testid="judgement">
                    <td colSpan={7}>
                      <strong>Judge ({m.judgement.mode}):</strong> <Verdict verdict={m.judgement.verdict} />
                      {m.judgement.score !== null ? ` · score ${m.judgement.score}` : ''} — {m.judgement.reason}
                      {m.judgement.explanation ? <p>{m.judgement.explanation}</p> : null}
                      {m.judgement.metrics.length ? (
                        <ul>
                          {m.judgement.metrics.map((jm) => (
                            <li key={jm.metric}>{jm.explanation}</li>
                          ))}
                        </ul>
                      ) : null}
                    </td>
                  </tr>,
                ]
              : [],
          );
        })}
      </tbody>
    </table>
  );
}
