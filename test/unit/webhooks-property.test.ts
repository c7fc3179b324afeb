import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CiProvider } from '../../events/ci.js';
import { ingestWebhook, type IngestRequest, type IngestResult } from '../../core/webhooks/ingest.js';
import { NOW, SECRET, fixture, githubExample, signedRequest as signed, type Json } from '../fixtures/webhooks/requests.js';

const STATUSES = [200, 202, 400, 401, 413, 415];
const PROVIDERS: CiProvider[] = ['github', 'gitlab', 'jenkins', 'circleci', 'generic'];
/** A correctly authenticated JSON request for `provider`, so the parsers (not the signature check) see the body. */
const signedRequest = (provider: CiProvider, rawBody: Buffer, event: string): IngestRequest =>
  signed(provider, rawBody, event, {
    incidentLabel: 'bug',
    github: { deployWorkflows: [{ name: 'test', environment: 'production' }] },
    gitlab: { deployPipelines: [{ name: 'deploy production', environment: 'production' }] },
    jenkins: { deployJobs: [{ name: 'payments-api-deploy-prod', environment: 'production' }] },
    circleci: { deployWorkflows: [{ name: 'deploy-production', environment: 'production' }] },
  });

/** The documented contract of every answer. */
function expectDocumented(r: IngestResult): void {
  expect(STATUSES).toContain(r.status);
  if (r.status >= 400) expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  for (const e of r.events ?? []) expect(e.definition.schema.safeParse(e.detail).success).toBe(true);
}

const EVENTS = {
  github: ['ping', 'push', 'pull_request', 'deployment', 'deployment_status', 'workflow_run', 'issues', 'star'],
  gitlab: ['Push Hook', 'Merge Request Hook', 'Pipeline Hook', 'Deployment Hook', 'Issue Hook', 'Note Hook'],
} as const;
const eventFor = (provider: CiProvider, i: number) =>
  provider === 'github' || provider === 'gitlab' ? EVENTS[provider][i % EVENTS[provider].length]! : '';

describe('property: ingestion never throws and always answers a documented status', () => {
  it('for random bytes and random headers', () => {
    const headerNames = ['content-type', 'x-hub-signature-256', 'x-github-event', 'x-gitlab-token', 'circleci-signature', 'x-lumina-signature'];
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDERS),
        fc.uint8Array({ maxLength: 512 }),
        fc.dictionary(fc.constantFrom(...headerNames), fc.oneof(fc.string(), fc.constant('application/json'))),
        (provider, bytes, headers) => {
          expectDocumented(ingestWebhook({ provider, headers, rawBody: Buffer.from(bytes), secrets: [SECRET], now: NOW }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for correctly signed arbitrary JSON, which never fails authentication', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDERS), fc.nat(), fc.jsonValue({ maxDepth: 4 }), (provider, i, value) => {
        const r = ingestWebhook(signedRequest(provider, Buffer.from(JSON.stringify(value)), eventFor(provider, i)));
        expectDocumented(r);
        expect([200, 202, 400]).toContain(r.status);
      }),
      { numRuns: 400 },
    );
  });
});

/** Every path to a value inside `v` (objects and arrays), up to a depth. */
function paths(v: unknown, depth = 6, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (depth === 0 || typeof v !== 'object' || v === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...prefix, k], ...paths(x, depth - 1, [...prefix, k])]);
}

function mutate(doc: Json, path: Array<string | number>, replacement: unknown, remove: boolean): Json {
  const copy: Json = structuredClone(doc);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1]!;
  const inArray = Array.isArray(parent); // deleting from an array would leave a hole; replace instead
  if (remove && !inArray) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

function mergedPullRequest(): Json {
  const p = githubExample('pull_request', (x) => x.action === 'closed');
  Object.assign(p.pull_request, { merged: true, merged_at: '2019-05-15T15:21:18Z' });
  return p;
}

const SEEDS: Array<{ provider: CiProvider; event: string; doc: Json }> = [
  { provider: 'github', event: 'push', doc: githubExample('push', (p) => p.ref === 'refs/heads/master') },
  { provider: 'github', event: 'deployment_status', doc: githubExample('deployment_status') },
  { provider: 'github', event: 'workflow_run', doc: githubExample('workflow_run', (p) => p.workflow_run.conclusion === 'success') },
  { provider: 'github', event: 'issues', doc: githubExample('issues', (p) => p.action === 'opened') },
  { provider: 'github', event: 'pull_request', doc: mergedPullRequest() },
  { provider: 'gitlab', event: 'Push Hook', doc: fixture('gitlab/push-hook.json') },
  { provider: 'gitlab', event: 'Merge Request Hook', doc: fixture('gitlab/merge-request-hook.merged.json') },
  { provider: 'gitlab', event: 'Deployment Hook', doc: fixture('gitlab/deployment-hook.json') },
  { provider: 'gitlab', event: 'Issue Hook', doc: fixture('gitlab/issue-hook.incident-closed.json') },
  { provider: 'jenkins', event: '', doc: fixture('jenkins/notification.completed-success.json') },
  { provider: 'circleci', event: '', doc: fixture('circleci/workflow-completed.json') },
  { provider: 'generic', event: '', doc: fixture('generic/deployment.json') },
  { provider: 'generic', event: '', doc: fixture('generic/change.json') },
];

describe('property: mutated real payloads never throw', () => {
  it('answers 200, 202 or 400 (with the path of the first error) for any single-field mutation', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.nat(),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.constantFrom('2021-04-28 21:50:00 +0200', '', null, 0, -1, 'ffff')),
        fc.boolean(),
        ({ provider, event, doc }, pick, replacement, remove) => {
          const all = paths(doc);
          const path = all[pick % all.length]!;
          const body = Buffer.from(JSON.stringify(mutate(doc, path, replacement, remove)));
          const r = ingestWebhook(signedRequest(provider, body, event));
          expectDocumented(r);
          expect([200, 202, 400]).toContain(r.status);
          if (r.status === 400 && 'error' in r.body && r.body.error.code === 'schema_violation') {
            expect(r.body.error.details).toMatchObject({ path: expect.any(String), pointer: expect.any(String) });
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
