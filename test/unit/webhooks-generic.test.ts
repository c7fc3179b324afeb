import { describe, expect, it } from 'vitest';
import { ingestWebhook, type IngestResult } from '../../core/webhooks/ingest.js';
import { fixture, genericRequest } from '../fixtures/webhooks/requests.js';

const ingest = (payload: unknown): IngestResult => ingestWebhook(genericRequest(payload));
const details = (r: IngestResult) =>
  (r.events ?? []).map((e): Record<string, unknown> => ({ type: e.definition.detailType, ...e.detail }));

describe('generic webhook (our documented schema)', () => {
  it('answers a ping with 200', () => {
    expect(ingest(fixture('generic/ping.json'))).toMatchObject({ status: 200, body: { pong: true }, dedupeKey: 'generic:setup-check-1' });
  });

  it('records a deployment with rework flags, converting offsets to UTC', () => {
    const r = ingest(fixture('generic/deployment.json'));
    expect(r.dedupeKey).toBe('generic:argo-sync-2026-02-28-0001');
    expect(details(r)).toEqual([
      expect.objectContaining({
        type: 'Deployment Finished',
        provider: 'generic',
        deliveryId: 'argo-sync-2026-02-28-0001',
        service: 'ledger',
        environment: 'production',
        deploymentId: 'ledger-prod-1717',
        status: 'rolled_back',
        startedAt: '2026-02-28T01:00:00.000Z',
        finishedAt: '2026-02-28T01:12:30.000Z',
        commitShas: ['5f4e3d2c1b0a99887766554433221100ffeeddcc'],
        unplanned: true,
        fixesIncident: 'INC-2291',
      }),
    ]);
  });

  it('defaults deploymentId to the event id and commitShas to none', () => {
    const { deploymentId: _d, commitShas: _c, ...p } = fixture('generic/deployment.json');
    expect(details(ingest(p))[0]).toMatchObject({ deploymentId: 'argo-sync-2026-02-28-0001', commitShas: [] });
  });

  it('records a change, mapping the service from the repository when none is given', () => {
    expect(details(ingest(fixture('generic/change.json')))).toEqual([
      expect.objectContaining({
        type: 'Change Pushed',
        service: 'ledger',
        repository: 'acme/ledger',
        committedAt: '2026-02-28T00:45:00.000Z',
        pushedAt: '2026-02-28T01:00:00.000Z',
        commitCount: 3,
      }),
    ]);
  });

  it('records incidents opened and resolved', () => {
    expect(details(ingest(fixture('generic/incident-opened.json')))).toMatchObject([
      { type: 'Incident Opened', incidentId: 'INC-2291', openedAt: '2026-02-28T01:05:00.000Z', deploymentId: 'ledger-prod-1716' },
    ]);
    expect(details(ingest(fixture('generic/incident-resolved.json')))).toMatchObject([
      { type: 'Incident Resolved', resolvedAt: '2026-02-28T01:47:00.000Z', openedAt: '2026-02-28T01:05:00.000Z' },
    ]);
  });

  it.each([
    ['an unknown type', { ...fixture('generic/ping.json'), type: 'release' }, 'type'],
    ['a missing environment', { ...fixture('generic/deployment.json'), environment: undefined }, 'environment'],
    ['an unknown status', { ...fixture('generic/deployment.json'), status: 'ok' }, 'status'],
    ['a bad sha in the list', { ...fixture('generic/deployment.json'), commitShas: ['abc', 'not-a-sha'] }, 'commitShas[0]'],
    ['a timestamp without zone', { ...fixture('generic/change.json'), committedAt: '2026-02-27T16:45:00' }, 'committedAt'],
    ['an array body', [], '(root)'],
  ])('rejects %s with the path of the first error', (_case, payload, path) => {
    const r = ingest(payload);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'schema_violation', details: { path } } });
  });
});
