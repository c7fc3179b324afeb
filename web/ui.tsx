import type { ComponentChildren } from 'preact';

/** The "updated at" line every polled page shows, with the last error when a poll failed. */
export function Updated({ at, error }: { at: Date | undefined; error: string | undefined }) {
  return (
    <p class="updated">
      <span data-testid="updated-at">{at ? `Updated at ${at.toLocaleTimeString()}` : 'Loading…'}</span>
      {' · refreshes every 2 s'}
      {error ? (
        <span class="error" role="alert">
          {' '}
          Last refresh failed: {error}
        </span>
      ) : null}
    </p>
  );
}

const PHASE_ICON: Record<string, string> = { Healthy: '✔', RolledBack: '↩', Aborted: '■', Failed: '✖', Paused: '‖', Progressing: '▶', Pending: '…', Aborting: '↩' };

/** A phase as text with an icon; the colour only repeats what the words say. */
export function Phase({ phase }: { phase: string }) {
  return (
    <span class={`phase phase-${phase}`} data-phase={phase}>
      <span aria-hidden="true">{PHASE_ICON[phase] ?? '•'} </span>
      {phase}
    </span>
  );
}

export function Verdict({ verdict }: { verdict: string }) {
  const icon = verdict === 'pass' ? '✔' : verdict === 'fail' ? '✖' : verdict === 'error' ? '!' : '?';
  return (
    <span class={`verdict verdict-${verdict}`}>
      <span aria-hidden="true">{icon} </span>
      {verdict}
    </span>
  );
}

/** Stable/canary split: two bars with their percentages written out. */
export function Weights({ stable, canary }: { stable: number; canary: number }) {
  return (
    <div class="weights" role="img" aria-label={`traffic: stable ${stable} %, canary ${canary} %`}>
      <div class="bar">
        <span class="stable" style={{ width: `${stable}%` }} />
        <span class="canary" style={{ width: `${canary}%` }} />
      </div>
      <span class="legend">
        stable {stable} % · canary {canary} %
      </span>
    </div>
  );
}

export const time = (iso: string) => new Date(iso).toLocaleTimeString();

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
