import { describe, expect, it } from 'vitest';
import { ingestWebhook, type IngestResult } from '../../core/webhooks/ingest.js';
import type { WebhookOptions } from '../../core/webhooks/shared.js';
import { fixture, gitlabRequest, type Json } from '../fixtures/webhooks/requests.js';

const ingest = (event: string, payload: unknown, headers: Record<string, string> = {}, options?: WebhookOptions): IngestResult =>
  ingestWebhook({ ...gitlabRequest(event, payload, headers), options });
const details = (r: IngestResult) =>
  (r.events ?? []).map((e): Record<string, unknown> => ({ type: e.definition.detailType, ...e.detail }));

describe('GitLab dedupe key', () => {
  const push = () => fixture('gitlab/push-hook.json');

  it('prefers Idempotency-Key, then X-Gitlab-Webhook-UUID, then X-Gitlab-Event-UUID', () => {
    const all = { 'Idempotency-Key': 'idem-1', 'X-Gitlab-Webhook-UUID': 'hook-1', 'X-Gitlab-Event-UUID': 'event-1' };
    expect(ingest('Push Hook', push(), all).dedupeKey).toBe('gitlab:idem-1');
    expect(ingest('Push Hook', push(), { 'X-Gitlab-Webhook-UUID': 'hook-1', 'X-Gitlab-Event-UUID': 'event-1' }).dedupeKey).toBe(
      'gitlab:hook-1',
    );
    expect(ingest('Push Hook', push(), { 'X-Gitlab-Event-UUID': 'event-1' }).dedupeKey).toBe('gitlab:event-1');
  });

  it('falls back to the body digest when an old GitLab sends no id header', () => {
    const r = ingest('Push Hook', push());
    expect(r.dedupeKey).toBe(`gitlab:sha256:${r.events?.[0]?.detail.rawPayload.sha256}`);
  });

  it('requires X-Gitlab-Event', () => {
    const req = gitlabRequest('Push Hook', push());
    const { 'x-gitlab-event': _dropped, ...headers } = req.headers;
    const r = ingestWebhook({ ...req, headers });
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'missing_header' } } });
  });
});

describe('GitLab Push Hook', () => {
  it('records each commit, converting its offset to UTC, with the push as receipt time', () => {
    const r = ingest('Push Hook', fixture('gitlab/push-hook.json'), { 'Idempotency-Key': 'k' });
    expect(r.status).toBe(202);
    expect(details(r)).toMatchObject([
      {
        type: 'Change Pushed',
        provider: 'gitlab',
        deliveryId: 'k',
        service: 'payments-api',
        repository: 'acme/payments-api',
        commitSha: '9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3',
        committedAt: '2026-02-27T21:30:00.000Z',
        pushedAt: '2026-03-01T12:00:00.000Z',
        branch: 'main',
        commitCount: 2,
      },
      { commitSha: '3c2f9e0b7a6d5c4b3a291807f6e5d4c3b2a19081', committedAt: '2026-02-28T00:05:00.000Z' },
    ]);
  });

  it('uses total_commits_count when a push lists only the newest 20 of 25 commits', () => {
    const p = fixture('gitlab/push-hook.json');
    const template = p.commits[0] as Json;
    p.commits = Array.from({ length: 20 }, (_, i) => ({
      ...template,
      id: (i + 1).toString(16).padStart(40, '0'),
      timestamp: `2026-02-27T10:${String(i).padStart(2, '0')}:00+01:00`,
    }));
    p.total_commits_count = 25;
    const r = ingest('Push Hook', p);
    expect(r.events).toHaveLength(20);
    expect(new Set(details(r).map((d) => d.commitCount))).toEqual(new Set([25]));
  });

  it('ignores branch deletion, tag refs and pushes without new commits', () => {
    const deleted = { ...fixture('gitlab/push-hook.json'), after: '0'.repeat(40), checkout_sha: null, commits: [], total_commits_count: 0 };
    const tag = { ...fixture('gitlab/push-hook.json'), ref: 'refs/tags/v1.0.0' };
    const empty = { ...fixture('gitlab/push-hook.json'), commits: [], total_commits_count: 0 };
    expect(ingest('Push Hook', deleted).body).toEqual({ ignored: true, reason: 'push deleted the branch' });
    expect(ingest('Push Hook', tag).body).toEqual({ ignored: true, reason: 'push to refs/tags/v1.0.0 is not a branch push' });
    expect(ingest('Push Hook', empty).body).toEqual({ ignored: true, reason: 'push carries no new commits' });
  });

  it('rejects a push without total_commits_count, naming the field', () => {
    const { total_commits_count: _dropped, ...p } = fixture('gitlab/push-hook.json');
    expect(ingest('Push Hook', p).body).toMatchObject({ error: { code: 'schema_violation', details: { path: 'total_commits_count' } } });
  });
});

describe('GitLab Merge Request Hook', () => {
  it('records a merge as a change of the merge commit; lead time starts at the earlier of last commit and MR creation', () => {
    const r = ingest('Merge Request Hook', fixture('gitlab/merge-request-hook.merged.json'));
    expect(details(r)).toEqual([
      expect.objectContaining({
        commitSha: '4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
        committedAt: '2026-02-27T18:00:00.000Z',
        committedAtSource: 'pull_request_created',
        pushedAt: '2026-02-28T09:15:00.000Z',
        branch: 'main',
        via: 'merge',
        pullRequest: 58,
      }),
    ]);
  });

  it('uses the last commit time when it predates the merge request', () => {
    const p = fixture('gitlab/merge-request-hook.merged.json');
    p.object_attributes.last_commit.timestamp = '2026-02-27 17:00:00 +0100';
    expect(details(ingest('Merge Request Hook', p))[0]).toMatchObject({ committedAt: '2026-02-27T16:00:00.000Z', committedAtSource: 'commit' });
  });

  it('ignores merge request actions other than merge', () => {
    const p = fixture('gitlab/merge-request-hook.merged.json');
    p.object_attributes.action = 'update';
    expect(ingest('Merge Request Hook', p).body).toEqual({ ignored: true, reason: 'merge request action "update" is not ingested' });
  });
});

describe('GitLab Pipeline and Deployment Hooks', () => {
  const deployPipelines: WebhookOptions = { gitlab: { deployPipelines: [{ name: 'deploy production', environment: 'production' }] } };

  it('records a configured pipeline, reading "UTC"-style timestamps', () => {
    const r = ingest('Pipeline Hook', fixture('gitlab/pipeline-hook.json'), {}, deployPipelines);
    expect(details(r)).toMatchObject([
      {
        type: 'Deployment Finished',
        environment: 'production',
        deploymentId: '3107',
        status: 'success',
        startedAt: '2026-02-28T09:20:00.000Z',
        finishedAt: '2026-02-28T09:31:45.000Z',
        commitShas: ['3c2f9e0b7a6d5c4b3a291807f6e5d4c3b2a19081'],
      },
    ]);
  });

  it('ignores pipelines that are not configured and non-terminal statuses', () => {
    const running = { ...fixture('gitlab/pipeline-hook.json') };
    running.object_attributes = { ...running.object_attributes, status: 'running' };
    expect(ingest('Pipeline Hook', fixture('gitlab/pipeline-hook.json')).body).toMatchObject({ ignored: true });
    expect(ingest('Pipeline Hook', running, {}, deployPipelines).body).toEqual({
      ignored: true,
      reason: 'pipeline status "running" is not a finished deployment',
    });
  });

  it('records a deployment at its status_changed_at instant, keeping the +0100 offset', () => {
    const r = ingest('Deployment Hook', fixture('gitlab/deployment-hook.json'));
    expect(details(r)).toMatchObject([
      {
        environment: 'production',
        deploymentId: '481',
        status: 'success',
        finishedAt: '2026-02-28T09:31:45.000Z',
        commitShas: ['3c2f9e0b7a6d5c4b3a291807f6e5d4c3b2a19081'],
      },
    ]);
  });

  it('falls back to short_sha when commit_url has no full sha, and maps failed to failure', () => {
    const p = { ...fixture('gitlab/deployment-hook.json'), status: 'failed', commit_url: 'https://gitlab.example.test/x' };
    expect(details(ingest('Deployment Hook', p))[0]).toMatchObject({ status: 'failure', commitShas: ['3c2f9e0b'] });
  });

  it('ignores running and canceled deployments', () => {
    const p = { ...fixture('gitlab/deployment-hook.json'), status: 'running' };
    expect(ingest('Deployment Hook', p).body).toEqual({ ignored: true, reason: 'deployment status "running" is not terminal' });
  });

  it('rejects a status_changed_at without a timezone', () => {
    const p = { ...fixture('gitlab/deployment-hook.json'), status_changed_at: '2026-02-28 10:31:45' };
    expect(ingest('Deployment Hook', p).body).toMatchObject({ error: { details: { path: 'status_changed_at' } } });
  });
});

describe('GitLab Issue Hook as incidents', () => {
  it('opens an incident for an issue of type Incident', () => {
    expect(details(ingest('Issue Hook', fixture('gitlab/issue-hook.incident-opened.json')))).toMatchObject([
      { type: 'Incident Opened', incidentId: 'acme/payments-api#311', openedAt: '2026-02-28T11:02:00.000Z', environment: 'production' },
    ]);
  });

  it('resolves an incident-labelled issue when it is closed, at the UTC instant', () => {
    expect(details(ingest('Issue Hook', fixture('gitlab/issue-hook.incident-closed.json')))).toMatchObject([
      { type: 'Incident Resolved', incidentId: 'acme/payments-api#312', resolvedAt: '2026-02-28T12:40:00.000Z', openedAt: '2026-02-28T11:00:00.000Z' },
    ]);
  });

  it('opens an incident when the label is added to an open issue', () => {
    const p = fixture('gitlab/issue-hook.incident-opened.json');
    Object.assign(p.object_attributes, { type: 'Issue', action: 'update' });
    p.changes = { labels: { previous: [], current: [{ title: 'incident' }] } };
    expect(details(ingest('Issue Hook', p))).toMatchObject([{ type: 'Incident Opened' }]);
  });

  it('treats confidential issue hooks like issue hooks', () => {
    expect(details(ingest('Confidential Issue Hook', fixture('gitlab/issue-hook.incident-opened.json')))).toMatchObject([
      { type: 'Incident Opened' },
    ]);
  });

  it('ignores ordinary issues', () => {
    const p = fixture('gitlab/issue-hook.incident-opened.json');
    p.object_attributes.type = 'Issue';
    expect(ingest('Issue Hook', p).body).toEqual({ ignored: true, reason: 'issue is not an incident' });
  });

  it('ignores hooks it does not ingest', () => {
    expect(ingest('Wiki Page Hook', { object_kind: 'wiki_page' }).body).toEqual({
      ignored: true,
      reason: 'GitLab event "Wiki Page Hook" is not ingested',
    });
  });
});
