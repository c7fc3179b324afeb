import { getJson, type RolloutSummary, type ServiceSummary } from '../api.js';
import { usePoll } from '../hooks.js';
import { Phase, Updated, Weights, time } from '../ui.js';

interface Overview {
  services: { service: ServiceSummary; rollouts: RolloutSummary[]; error?: string }[];
}

/** Every service with its latest rollouts (`GET /api/services`, then `GET /api/rollouts?service=` each). */
async function loadOverview(): Promise<Overview> {
  const { services } = await getJson<{ services: ServiceSummary[] }>('/api/services');
  const rows = await Promise.all(
    services.map(async (service) => {
      try {
        const { rollouts } = await getJson<{ rollouts: RolloutSummary[] }>(`/api/rollouts?service=${encodeURIComponent(service.name)}&limit=5`);
        return { service, rollouts };
      } catch (e) {
        return { service, rollouts: [], error: (e as Error).message };
      }
    }),
  );
  return { services: rows.sort((a, b) => a.service.name.localeCompare(b.service.name)) };
}

export function RolloutsPage() {
  const { data, error, updatedAt } = usePoll(loadOverview, 'rollouts');
  return (
    <>
      <h1 tabIndex={-1}>Rollouts</h1>
      <Updated at={updatedAt} error={error} />
      {data && data.services.length === 0 && <p>No services are configured.</p>}
      {data?.services.map(({ service, rollouts, error: err }) => (
        <section key={service.name} aria-labelledby={`svc-${service.name}`} data-service={service.name}>
          <h2 id={`svc-${service.name}`}>{service.name}</h2>
          <p>
            Repository <code>{service.repository}</code>, environment <code>{service.environment}</code>; stable{' '}
            <code>{service.stableImage ?? 'none yet'}</code>
            {service.activeRolloutId ? (
              <>
                {' '}
                · active rollout <a href={`#/rollouts/${encodeURIComponent(service.activeRolloutId)}`}>{service.activeRolloutId}</a>
              </>
            ) : null}
          </p>
          {err ? <p class="error">Could not list its rollouts: {err}</p> : null}
          {rollouts.length === 0 && !err ? (
            <p>No rollouts yet.</p>
          ) : (
            <table>
              <caption>Latest rollouts of {service.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Rollout</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Step</th>
                  <th scope="col">Traffic</th>
                  <th scope="col">Message</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {rollouts.map((r) => (
                  <tr key={r.rolloutId} data-rollout={r.rolloutId}>
                    <td>
                      <a href={`#/rollouts/${encodeURIComponent(r.rolloutId)}`}>{r.rolloutId}</a>
                    </td>
                    <td>
                      <Phase phase={r.phase} />
                    </td>
                    <td>
                      {Math.min(r.step.index + 1, r.step.total)}/{r.step.total}
                    </td>
                    <td>
                      <Weights {...r.weights} />
                    </td>
                    <td>{r.message}</td>
                    <td>{time(r.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </>
  );
}
