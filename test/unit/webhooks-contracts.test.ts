import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelope } from '../../events/define.js';
import { CI_SOURCE, ciEvents } from '../../events/ci.js';
import { ingestWebhook, type IngestRequest } from '../../core/webhooks/ingest.js';
import { NOW, fixture, fixtureText, signedRequest } from '../fixtures/webhooks/requests.js';

const dir = (sub: string) => new URL(`../fixtures/webhooks/${sub}/`, import.meta.url);
const list = (sub: string) => readdirSync(dir(sub)).filter((f) => f.endsWith('.json'));

describe('lumina.ci contracts: every versioned fixture still parses with its schema', () => {
  const fixtures = list('events/lumina.ci').map((file) => ({ file, event: fixture(`events/lumina.ci/${file}`) }));

  it('there is a fixture for each CI event', () => {
    expect(new Set(fixtures.map((f) => f.event['detail-type']))).toEqual(new Set(ciEvents.map((d) => d.detailType)));
  });

  it.each(fixtures)('fixture $file parses with its definition and carries the lumina.ci source', ({ event }) => {
    const def = ciEvents.find((d) => d.detailType === event['detail-type']);
    expect(def).toBeDefined();
    expect(envelope(def!.schema).safeParse(event).success).toBe(true);
    expect(event.source).toBe(CI_SOURCE);
    expect(def!.source).toBe(CI_SOURCE);
  });

  it('rejects a detail that lost a required field (schemas are not loose)', () => {
    const { detail } = fixtures.find((f) => f.file.startsWith('deployment-finished'))!.event;
    const { deploymentId: _dropped, ...rest } = detail;
    const def = ciEvents.find((d) => d.detailType === 'Deployment Finished')!;
    const r = def.schema.safeParse(rest);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['deploymentId']);
  });

  it('rejects a non-UTC-comparable instant without an offset', () => {
    const { detail } = fixtures.find((f) => f.file.startsWith('incident-opened'))!.event;
    const def = ciEvents.find((d) => d.detailType === 'Incident Opened')!;
    expect(def.schema.safeParse({ ...detail, openedAt: '2026-02-28 11:02:00' }).success).toBe(false);
  });
});

/** Our provider fixtures, signed the way each provider signs, with options that make them count. */
function signed(provider: 'gitlab' | 'jenkins' | 'circleci' | 'generic', file: string): IngestRequest {
  const rawBody = fixtureText(`${provider}/${file}`);
  const hook: Record<string, string> = {
    'push-hook.json': 'Push Hook',
    'merge-request-hook.merged.json': 'Merge Request Hook',
    'pipeline-hook.json': 'Pipeline Hook',
    'deployment-hook.json': 'Deployment Hook',
    'issue-hook.incident-opened.json': 'Issue Hook',
    'issue-hook.incident-closed.json': 'Issue Hook',
  };
  return signedRequest(provider, rawBody, hook[file] ?? 'unknown', {
    gitlab: { deployPipelines: [{ name: 'deploy production', environment: 'production' }] },
    jenkins: { deployJobs: [{ name: 'payments-api-deploy-prod', environment: 'production' }] },
    circleci: {
      deployWorkflows: [
        { name: 'deploy-production', environment: 'production' },
        { name: 'build-test-deploy', job: 'deploy-production', environment: 'production' },
      ],
    },
  });
}

describe('webhook fixtures: each provider fixture normalizes into events that match the lumina.ci schemas', () => {
  const cases = (['gitlab', 'jenkins', 'circleci', 'generic'] as const).flatMap((provider) =>
    list(provider).map((file) => ({ provider, file })),
  );

  it.each(cases)('$provider/$file is accepted and every event parses in its envelope', ({ provider, file }) => {
    const r = ingestWebhook(signed(provider, file));
    expect([200, 202]).toContain(r.status);
    for (const e of r.events ?? []) {
      const wrapped = {
        version: '0',
        id: 'e',
        'detail-type': e.definition.detailType,
        source: e.definition.source,
        account: '123456789012',
        time: NOW.toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: JSON.parse(JSON.stringify(e.detail)),
      };
      expect(envelope(e.definition.schema).safeParse(wrapped).success).toBe(true);
    }
  });

  it('the fixtures that describe a delivery produce at least one event', () => {
    const produced = cases.filter(({ provider, file }) => (ingestWebhook(signed(provider, file)).events ?? []).length > 0);
    expect(produced.map((c) => `${c.provider}/${c.file}`).sort()).toEqual(
      cases.filter((c) => !/started|ping/.test(c.file)).map((c) => `${c.provider}/${c.file}`).sort(),
    );
  });
});
