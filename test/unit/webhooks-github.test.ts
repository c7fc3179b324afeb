import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestWebhook, type IngestResult } from '../../core/webhooks/ingest.js';
import type { WebhookOptions } from '../../core/webhooks/shared.js';
import { githubExample, githubExamples, githubRequest, type Json } from '../fixtures/webhooks/requests.js';

const ingest = async (event: string, payload: unknown, options?: WebhookOptions): Promise<IngestResult> =>
  ingestWebhook(await githubRequest(event, payload, { options }));
const details = (r: IngestResult) =>
  (r.events ?? []).map((e): Record<string, unknown> => ({ type: e.definition.detailType, ...e.detail }));
const DEPLOY_TEST_WORKFLOW: WebhookOptions = { github: { deployWorkflows: [{ name: 'test', environment: 'production' }] } };

describe('GitHub: every real example payload of a handled event is accepted (never a 400)', () => {
  const handled = ['ping', 'push', 'pull_request', 'deployment', 'deployment_status', 'workflow_run', 'issues'];
  const cases = handled.flatMap((event) => githubExamples(event).map((payload, i) => ({ event, i, payload })));

  it.each(cases)('$event example #$i answers 200 or 202', async ({ event, payload }) => {
    const r = await ingest(event, payload, { ...DEPLOY_TEST_WORKFLOW, incidentLabel: 'bug' });
    expect([200, 202]).toContain(r.status);
  });
});

describe('GitHub ping and unknown events', () => {
  it('answers a ping with 200 and the delivery as dedupe key', async () => {
    const r = await ingest('ping', githubExample('ping'));
    expect(r).toMatchObject({ status: 200, body: { pong: true }, dedupeKey: 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958' });
    expect(r.events).toBeUndefined();
  });

  it('ignores an event it does not ingest with a reason naming it', async () => {
    const r = await ingest('star', { action: 'created', repository: { full_name: 'a/b' } });
    expect(r).toMatchObject({ status: 202, body: { ignored: true, reason: 'GitHub event "star" is not ingested' } });
  });
});

describe('GitHub push', () => {
  const branchPush = () => githubExample('push', (p) => p.ref === 'refs/heads/master');

  it('records the pushed commit with its time, the push time, branch and commit count', async () => {
    const payload = branchPush();
    const r = await ingest('push', payload);
    expect(r.status).toBe(202);
    expect(details(r)).toEqual([
      {
        type: 'Change Pushed',
        version: '1',
        provider: 'github',
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        receivedAt: '2026-03-01T12:00:00.000Z',
        rawPayload: { sha256: createHash('sha256').update(JSON.stringify(payload)).digest('hex'), bytes: Buffer.byteLength(JSON.stringify(payload)) },
        service: 'Hello-World',
        repository: 'Codertocat/Hello-World',
        commitSha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        committedAt: '2019-05-15T15:19:25.000Z',
        pushedAt: '2019-05-15T15:20:57.000Z',
        branch: 'master',
        commitCount: 1,
        via: 'push',
        committedAtSource: 'commit',
      },
    ]);
  });

  it('emits one change per commit plus an unlisted head, converting commit offsets to UTC', async () => {
    const payload = branchPush();
    const [c] = payload.commits as Json[];
    payload.commits = [
      { ...c, id: 'a'.repeat(40), timestamp: '2019-05-15T08:00:00-07:00' },
      { ...c, id: 'b'.repeat(40), timestamp: '2019-05-15T17:30:00+02:00' },
    ];
    payload.head_commit = { ...c, id: 'c'.repeat(40), timestamp: '2019-05-15T15:45:00Z' };
    const r = await ingest('push', payload);
    expect(details(r).map((d) => [d.commitSha, d.committedAt, d.commitCount])).toEqual([
      ['a'.repeat(40), '2019-05-15T15:00:00.000Z', 2],
      ['b'.repeat(40), '2019-05-15T15:30:00.000Z', 2],
      ['c'.repeat(40), '2019-05-15T15:45:00.000Z', 2],
    ]);
  });

  it('maps the repository to a service through a map or a function', async () => {
    const byMap = await ingest('push', branchPush(), { services: { 'Codertocat/Hello-World': 'hello' } });
    const byFn = await ingest('push', branchPush(), { services: (repo) => (repo.startsWith('Codertocat/') ? 'octo' : undefined) });
    expect(details(byMap)[0]?.service).toBe('hello');
    expect(details(byFn)[0]?.service).toBe('octo');
  });

  it('ignores tag pushes and deleted refs', async () => {
    const tag = await ingest('push', githubExample('push', (p) => p.ref.startsWith('refs/tags/') && !p.deleted));
    const deleted = await ingest('push', githubExample('push', (p) => p.deleted === true));
    expect(tag.body).toEqual({ ignored: true, reason: 'push to refs/tags/simple-tag is not a branch push' });
    expect(deleted.body).toEqual({ ignored: true, reason: 'push deleted the branch' });
  });

  it('rejects a commit timestamp without a timezone with the path of the field', async () => {
    const payload = branchPush();
    payload.commits[0].timestamp = '2019-05-15 15:19:25';
    const r = await ingest('push', payload);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'schema_violation', details: { path: 'commits[0].timestamp' } } });
  });
});

describe('GitHub pull_request', () => {
  const merged = () => {
    const p = githubExample('pull_request', (x) => x.action === 'closed');
    Object.assign(p.pull_request, { merged: true, merged_at: '2019-05-15T15:21:18Z' });
    return p;
  };

  it('records a merged pull request as a change of its merge commit, lead time from PR creation', async () => {
    const r = await ingest('pull_request', merged());
    expect(details(r)).toMatchObject([
      {
        type: 'Change Pushed',
        commitSha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
        committedAt: '2019-05-15T15:20:33.000Z',
        committedAtSource: 'pull_request_created',
        pushedAt: '2019-05-15T15:21:18.000Z',
        branch: 'master',
        commitCount: 1,
        via: 'merge',
        pullRequest: 2,
      },
    ]);
  });

  it('ignores a pull request closed without merging and other actions', async () => {
    const closed = await ingest('pull_request', githubExample('pull_request', (x) => x.action === 'closed'));
    const opened = await ingest('pull_request', githubExample('pull_request', (x) => x.action === 'opened'));
    expect(closed.body).toEqual({ ignored: true, reason: 'pull request closed without merging' });
    expect(opened.body).toEqual({ ignored: true, reason: 'pull_request action "opened" is not ingested' });
  });

  it('rejects a merged pull request without a merge commit sha', async () => {
    const p = merged();
    p.pull_request.merge_commit_sha = null;
    const r = await ingest('pull_request', p);
    expect(r.body).toMatchObject({ error: { code: 'schema_violation', details: { path: 'pull_request.merge_commit_sha' } } });
  });
});

describe('GitHub deployments', () => {
  const status = (state = 'success') => {
    const p = githubExample('deployment_status', (x) => x.deployment_status.state === 'success');
    p.deployment_status.state = state;
    return p;
  };

  it('ignores the deployment event itself; the status event finishes it', async () => {
    const r = await ingest('deployment', githubExample('deployment'));
    expect(r.body).toMatchObject({ ignored: true });
  });

  it('records a successful deployment_status as a finished deployment', async () => {
    const r = await ingest('deployment_status', status());
    expect(details(r)).toMatchObject([
      {
        type: 'Deployment Finished',
        service: 'Hello-World',
        environment: 'production',
        deploymentId: '145988746',
        status: 'success',
        startedAt: '2019-05-15T15:20:53.000Z',
        finishedAt: '2019-05-15T15:20:55.000Z',
        commitShas: ['f95f852bd8fca8fcc58a9a2d6c842781e32a215e'],
        repository: 'Codertocat/Hello-World',
      },
    ]);
  });

  it.each(['failure', 'error'])('records state %s as a failed deployment', async (state) => {
    expect(details(await ingest('deployment_status', status(state)))[0]?.status).toBe('failure');
  });

  it('ignores non-terminal states', async () => {
    const r = await ingest('deployment_status', githubExample('deployment_status', (x) => x.deployment_status.state === 'in_progress'));
    expect(r.body).toEqual({ ignored: true, reason: 'deployment_status state "in_progress" is not terminal' });
  });

  it('reads service and rework hints from the deployment payload object', async () => {
    const p = status();
    p.deployment.payload = { service: 'web', unplanned: true, fixesIncident: 'Codertocat/Hello-World#1' };
    expect(details(await ingest('deployment_status', p))[0]).toMatchObject({
      service: 'web',
      unplanned: true,
      fixesIncident: 'Codertocat/Hello-World#1',
    });
  });

  it('rejects a mistyped hint with its path', async () => {
    const p = status();
    p.deployment.payload = { unplanned: 'yes' };
    const r = await ingest('deployment_status', p);
    expect(r.body).toMatchObject({ error: { details: { path: 'deployment.payload.unplanned' } } });
  });
});

describe('GitHub workflow_run as a deployment', () => {
  const completed = () => githubExample('workflow_run', (x) => x.action === 'completed' && x.workflow_run.conclusion === 'success');

  it('records a completed run of a configured workflow', async () => {
    const r = await ingest('workflow_run', completed(), DEPLOY_TEST_WORKFLOW);
    expect(details(r)).toMatchObject([
      {
        type: 'Deployment Finished',
        environment: 'production',
        deploymentId: '289782451-1',
        status: 'success',
        startedAt: '2020-10-05T16:33:49.000Z',
        finishedAt: '2020-10-05T16:33:49.000Z',
        commitShas: ['3484a3fb816e0859fd6e1cea078d76385ff50625'],
      },
    ]);
  });

  it('ignores workflows that are not configured, or run on another branch', async () => {
    const none = await ingest('workflow_run', completed());
    const branch = await ingest('workflow_run', completed(), {
      github: { deployWorkflows: [{ name: 'test', environment: 'production', branches: ['main'] }] },
    });
    expect(none.body).toEqual({ ignored: true, reason: 'workflow "test" is not configured as a deployment' });
    expect(branch.body).toMatchObject({ ignored: true });
  });

  it('records a failed conclusion as a failed deployment and ignores a cancelled one', async () => {
    const failed = completed();
    failed.workflow_run.conclusion = 'failure';
    const cancelled = completed();
    cancelled.workflow_run.conclusion = 'cancelled';
    expect(details(await ingest('workflow_run', failed, DEPLOY_TEST_WORKFLOW))[0]?.status).toBe('failure');
    expect((await ingest('workflow_run', cancelled, DEPLOY_TEST_WORKFLOW)).body).toMatchObject({ ignored: true });
  });

  it('ignores runs that have not completed', async () => {
    const r = await ingest('workflow_run', githubExample('workflow_run', (x) => x.action === 'requested'), DEPLOY_TEST_WORKFLOW);
    expect(r.body).toEqual({ ignored: true, reason: 'workflow_run action "requested" is not ingested' });
  });
});

describe('GitHub issues as incidents', () => {
  const opened = () => githubExample('issues', (x) => x.action === 'opened');

  it('ignores an issue without the incident label', async () => {
    expect((await ingest('issues', opened())).body).toEqual({ ignored: true, reason: 'issue is not labelled "incident"' });
  });

  it('opens an incident for an issue opened with the label (case-insensitive)', async () => {
    const p = opened();
    p.issue.labels[0].name = 'Incident';
    expect(details(await ingest('issues', p))).toMatchObject([
      {
        type: 'Incident Opened',
        incidentId: 'Codertocat/Hello-World#1',
        service: 'Hello-World',
        environment: 'production',
        openedAt: '2019-05-15T15:20:18.000Z',
      },
    ]);
  });

  it('opens an incident when the configured label is added', async () => {
    const r = await ingest('issues', githubExample('issues', (x) => x.action === 'labeled'), {
      incidentLabel: 'bug',
      incidentEnvironment: 'staging',
    });
    expect(details(r)).toMatchObject([{ type: 'Incident Opened', environment: 'staging' }]);
  });

  it('resolves the incident when a labelled issue is closed', async () => {
    const p = opened();
    Object.assign(p, { action: 'closed' });
    Object.assign(p.issue, { state: 'closed', closed_at: '2019-05-15T17:00:00Z' });
    expect(details(await ingest('issues', p, { incidentLabel: 'bug' }))).toMatchObject([
      { type: 'Incident Resolved', resolvedAt: '2019-05-15T17:00:00.000Z', openedAt: '2019-05-15T15:20:18.000Z' },
    ]);
  });

  it('ignores other issue actions', async () => {
    const r = await ingest('issues', githubExample('issues', (x) => x.action === 'edited'), { incidentLabel: 'bug' });
    expect(r.body).toEqual({ ignored: true, reason: 'issues action "edited" is not ingested' });
  });
});
