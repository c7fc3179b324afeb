import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { DoraPage } from './pages/dora.js';
import { FlagsPage } from './pages/flags.js';
import { RolloutPage } from './pages/rollout.js';
import { RolloutsPage } from './pages/rollouts.js';
import { STYLES } from './styles.js';

/** The dashboard: a hash router over four pages; every page reads the same HTTP API the CLI uses. */

type Route = { page: 'rollouts' } | { page: 'rollout'; id: string } | { page: 'flags' } | { page: 'dora' } | { page: 'missing'; path: string };

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/rollouts') return { page: 'rollouts' };
  const m = /^\/rollouts\/([^/]+)$/.exec(path);
  if (m) return { page: 'rollout', id: decodeURIComponent(m[1]!) };
  if (path === '/flags') return { page: 'flags' };
  if (path === '/dora') return { page: 'dora' };
  return { page: 'missing', path };
}

const ACTOR_KEY = 'lumina.actor';
const storedActor = () => {
  try {
    return localStorage.getItem(ACTOR_KEY) ?? 'dashboard';
  } catch {
    return 'dashboard';
  }
};

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const [actor, setActor] = useState(storedActor);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // On navigation, move focus to the new page's heading (as a screen reader user would expect).
  const key = route.page === 'rollout' ? `rollout:${route.id}` : route.page;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [key]);

  const onActor = (value: string) => {
    setActor(value);
    try {
      localStorage.setItem(ACTOR_KEY, value);
    } catch {
      /* private mode: the name lasts for this page only */
    }
  };
  const nav = [
    ['rollouts', '#/', 'Rollouts'],
    ['flags', '#/flags', 'Flags'],
    ['dora', '#/dora', 'DORA'],
  ] as const;
  const section = route.page === 'rollout' ? 'rollouts' : route.page;

  return (
    <>
      <header>
        <strong class="brand">Lumina Deploy</strong>
        <nav aria-label="Main">
          <ul>
            {nav.map(([page, href, label]) => (
              <li key={page}>
                <a href={href} aria-current={section === page ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <label class="actor">
          Acting as{' '}
          <input value={actor} onInput={(e) => onActor(e.currentTarget.value)} pattern="[\w.@:+\-]{1,128}" size={14} />
        </label>
      </header>
      <main ref={main}>
        {route.page === 'rollouts' && <RolloutsPage />}
        {route.page === 'rollout' && <RolloutPage id={route.id} actor={actor} />}
        {route.page === 'flags' && <FlagsPage />}
        {route.page === 'dora' && <DoraPage />}
        {route.page === 'missing' && (
          <>
            <h1 tabIndex={-1}>Not found</h1>
            <p>
              No page at {route.path}. <a href="#/">Back to the rollouts</a>.
            </p>
          </>
        )}
      </main>
    </>
  );
}

const style = document.createElement('style');
style.textContent = STYLES;
document.head.append(style);
const root = document.getElementById('app')!;
root.textContent = ''; // index.html's "Loading…" placeholder
render(<App />, root);
