import { useEffect, useState } from 'preact/hooks';
import { postRaw } from '../api.js';

/** Which flags exist: the OFREP bulk evaluation's keys (with an empty context). */
async function loadKeys(): Promise<string[]> {
  const r = await postRaw('/ofrep/v1/evaluate/flags', { context: {} });
  const flags = (r.body as { flags?: { key?: unknown }[] } | null)?.flags;
  if (r.status !== 200 || !Array.isArray(flags)) throw new Error(`listing flags answered ${r.status}`);
  return flags.map((f) => String(f.key)).sort();
}

interface Evaluation {
  status: number;
  body: { key?: string; value?: unknown; variant?: string; reason?: string; errorCode?: string; errorDetails?: string; metadata?: unknown } | null;
}

const DEFAULT_CONTEXT = JSON.stringify({ targetingKey: 'user-42', plan: 'enterprise', country: 'GB' }, null, 2);

/** An evaluation playground: a flag, a JSON context, `POST /ofrep/v1/evaluate/flags/{key}`, and what came back. */
export function FlagsPage() {
  const [keys, setKeys] = useState<string[]>([]);
  const [listError, setListError] = useState<string | undefined>(undefined);
  const [key, setKey] = useState('');
  const [context, setContext] = useState(DEFAULT_CONTEXT);
  const [contextError, setContextError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<Evaluation | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    loadKeys().then(
      (k) => {
        setKeys(k);
        setKey((cur) => cur || k[0] || '');
      },
      (e: unknown) => setListError((e as Error).message),
    );
  }, []);

  const evaluate = async (e: Event) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(context || '{}');
    } catch (err) {
      setContextError(`The context is not valid JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setContextError('The context must be a JSON object.');
      return;
    }
    setContextError(undefined);
    setBusy(true);
    try {
      setResult((await postRaw(`/ofrep/v1/evaluate/flags/${encodeURIComponent(key.trim())}`, { context: parsed })) as Evaluation);
    } catch (err) {
      setResult({ status: 0, body: { errorCode: 'NETWORK', errorDetails: (err as Error).message } });
    } finally {
      setBusy(false);
    }
  };

  const b = result?.body;
  return (
    <>
      <h1 tabIndex={-1}>Flags</h1>
      <p>
        Evaluate a flag as an application would, through OFREP (<code>POST /ofrep/v1/evaluate/flags/&#123;key&#125;</code>).
      </p>
      {listError ? <p class="notice error">Could not list the flags: {listError}</p> : null}
      <form onSubmit={evaluate} aria-label="Flag evaluation">
        <label class="block" for="flag-select">
          Flag
        </label>
        <select id="flag-select" class="block" value={keys.includes(key) ? key : ''} onChange={(e) => setKey(e.currentTarget.value)}>
            <option value="" disabled>
              {keys.length ? 'choose a flag…' : 'no flags listed'}
            </option>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
        </select>
        <label class="block" for="flag-key">
          Flag key (or type one)
        </label>
        <input id="flag-key" class="block" value={key} onInput={(e) => setKey(e.currentTarget.value)} required spellcheck={false} />
        <label class="block" for="flag-context">
          Evaluation context (JSON)
        </label>
        <textarea id="flag-context" class="block" rows={8} value={context} onInput={(e) => setContext(e.currentTarget.value)} spellcheck={false} aria-invalid={contextError ? 'true' : undefined} aria-describedby={contextError ? 'context-error' : undefined} />
        {contextError ? (
          <p id="context-error" class="notice error" role="alert">
            {contextError}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          {busy ? 'Evaluating…' : 'Evaluate'}
        </button>
      </form>
      {result ? (
        <section aria-label="Evaluation result" aria-live="polite">
          <h2>Result</h2>
          <dl class="result" data-testid="flag-result">
            <dt>HTTP status</dt>
            <dd>{result.status}</dd>
            <dt>Value</dt>
            <dd data-testid="flag-value">{b && 'value' in b ? <code>{JSON.stringify(b.value)}</code> : '—'}</dd>
            <dt>Variant</dt>
            <dd data-testid="flag-variant">{b?.variant ?? '—'}</dd>
            <dt>Reason</dt>
            <dd data-testid="flag-reason">{b?.reason ?? '—'}</dd>
            <dt>Error</dt>
            <dd data-testid="flag-error">{b?.errorCode ? `${b.errorCode}: ${b.errorDetails ?? ''}` : 'none'}</dd>
          </dl>
        </section>
      ) : null}
    </>
  );
}
