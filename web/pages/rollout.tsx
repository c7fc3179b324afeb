import { useState } from 'preact/hooks';
import { COMMANDS, getJson, TERMINAL_PHASES, type CommandName, type RolloutDetail } from '../api.js';
import { LineChart } from '../chart.js';
import { COMMAND_LABELS, CommandDialog } from '../command-dialog.js';
import { usePoll } from '../hooks.js';
import { weightSeries } from '../series.js';
import { Phase, Section, Updated, Weights, time } from '../ui.js';
import { Measurements } from './measurements.js';

export function RolloutPage({ id, actor }: { id: string; actor: string }) {
  const { data: r, error, updatedAt, reload } = usePoll(() => getJson<RolloutDetail>(`/api/rollouts/${encodeURIComponent(id)}`), id);
  const [command, setCommand] = useState<CommandName | undefined>(undefined);
  const [notice, setNotice] = useState<{ message: string; rolloutId?: string } | undefined>(undefined);

  if (!r) {
    return (
      <>
        <h1 tabIndex={-1}>Rollout {id}</h1>
        <Updated at={updatedAt} error={error} />
        <p>
          <a href="#/">Back to the rollouts</a>
        </p>
      </>
    );
  }
  const ended = TERMINAL_PHASES.includes(r.phase);
  const lastAudit = r.audit[r.audit.length - 1];
  const until = ended && lastAudit ? Date.parse(lastAudit.at) : Date.now();
  const series = weightSeries(r.createdAt, r.audit, until);

  return (
    <>
      <p>
        <a href="#/">← All rollouts</a>
      </p>
      <h1 tabIndex={-1}>
        Rollout {r.rolloutId}
      </h1>
      <Updated at={updatedAt} error={error} />
      <dl class="result" aria-label="Rollout status">
        <dt>Service</dt>
        <dd>
          {r.service} ({r.environment})
        </dd>
        <dt>Image</dt>
        <dd>
          <code>{r.image}</code>
        </dd>
        <dt>Phase</dt>
        <dd data-testid="phase">
          <Phase phase={r.phase} />
        </dd>
        <dt>Message</dt>
        <dd data-testid="message">{r.message}</dd>
        <dt>Step</dt>
        <dd data-testid="step">
          {Math.min(r.step.index + 1, r.step.total)}/{r.step.total}
        </dd>
        <dt>Traffic</dt>
        <dd>
          <Weights {...r.weights} />
        </dd>
      </dl>

      <Section title="Actions">
        <div class="actions" role="group" aria-label="Rollout commands">
          {COMMANDS.map((c) => (
            <button type="button" key={c} class={COMMAND_LABELS[c].danger ? 'danger' : ''} disabled={ended && c !== 'rollback'} onClick={() => setCommand(c)}>
              {COMMAND_LABELS[c].label}
            </button>
          ))}
        </div>
        {notice ? (
          <p class="notice" role="status" data-testid="command-result">
            {notice.message}
            {notice.rolloutId && notice.rolloutId !== r.rolloutId ? (
              <>
                {' '}
                — <a href={`#/rollouts/${encodeURIComponent(notice.rolloutId)}`}>open {notice.rolloutId}</a>
              </>
            ) : null}
          </p>
        ) : null}
      </Section>
      <CommandDialog
        rolloutId={r.rolloutId}
        command={command}
        actor={actor}
        onClose={() => setCommand(undefined)}
        onDone={(message, rolloutId) => {
          setNotice({ message, ...(rolloutId ? { rolloutId } : {}) });
          reload();
        }}
      />

      <Section title="Canary weight over time">
        <LineChart
          label={`Canary weight over time: ${series.map((p) => `${p.y} % at ${p.x} s`).join(', ')}`}
          testId="weight-chart"
          linearX
          xTitle="seconds since the rollout started"
          yTitle="canary weight %"
          yMax={100}
          datasets={[{ label: 'canary weight %', data: series, stepped: true, borderColor: '#0969da', backgroundColor: 'rgba(9,105,218,.15)', fill: true, pointRadius: 3 }]}
        />
      </Section>

      <Section title="Analysis">
        <Measurements measurements={r.measurements} />
      </Section>

      <Section title="Audit log">
        <table data-testid="audit">
          <caption>Everything that happened to this rollout, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.audit.map((a, i) => (
              <tr key={`${a.at}-${i}`}>
                <td>
                  <time dateTime={a.at}>{time(a.at)}</time>
                </td>
                <td>{a.actor}</td>
                <td>
                  <code>{a.action}</code>
                </td>
                <td>{a.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
