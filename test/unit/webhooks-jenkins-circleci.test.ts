import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repositoryFromSlug } from '../../core/webhooks/circleci.js';
import { ingestWebhook, type IngestRequest, type IngestResult } from '../../core/webhooks/ingest.js';
import { repositoryFromGitUrl } from '../../core/webhooks/jenkins.js';
import type { WebhookOptions } from '../../core/webhooks/shared.js';
import { NOW, SECRET, fixture } from '../fixtures/webhooks/requests.js';

const details = (r: IngestResult) =>
  (r.events ?? []).map((e): Record<string, unknown> => ({ type: e.definition.detailType, ...e.detail }));

const jenkins = (payload: unknown, options?: WebhookOptions): IngestResult =>
  ingestWebhook({
    provider: 'jenkins',
    headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Lumina-Token': SECRET },
    rawBody: JSON.stringify(payload),
    secrets: [SECRET],
    options,
    now: NOW,
  });

function circleRequest(payload: unknown, options?: WebhookOptions): IngestRequest {
  const rawBody = JSON.stringify(payload);
  return {
    provider: 'circleci',
    headers: {
      'content-type': 'application/json',
      'circleci-event-type': 'workflow-completed',
      'circleci-signature': `v1=${createHmac('sha256', SECRET).update(rawBody).digest('hex')}`,
    },
    rawBody,
    secrets: [SECRET],
    options,
    now: NOW,
  };
}
const circle = (payload: unknown, options?: WebhookOptions) => ingestWebhook(circleRequest(payload, options));

const DEPLOY_JOB: WebhookOptions = {
  jenkins: { deployJobs: [{ name: 'payments-api-deploy-prod', environment: 'production', branches: ['main'] }] },
  services: { 'acme/payments-api': 'payments' },
};

describe('Jenkins Notification plugin', () => {
  it('records a COMPLETED SUCCESS build of a configured job as a successful deployment', () => {
    const r = jenkins(fixture('jenkins/notification.completed-success.json'), DEPLOY_JOB);
    expect(r.status).toBe(202);
    expect(r.dedupeKey).toBe('jenkins:payments-api-deploy-prod#88:finished');
    expect(details(r)).toEqual([
      expect.objectContaining({
        type: 'Deployment Finished',
        provider: 'jenkins',
        service: 'payments',
        environment: 'production',
        deploymentId: 'payments-api-deploy-prod#88',
        status: 'success',
        startedAt: '2026-02-28T09:00:00.000Z',
        finishedAt: '2026-03-01T12:00:00.000Z',
        commitShas: ['3c2f9e0b7a6d5c4b3a291807f6e5d4c3b2a19081'],
        repository: 'acme/payments-api',
        unplanned: true,
        fixesIncident: 'acme/payments-api#311',
      }),
    ]);
  });

  it('gives COMPLETED and FINALIZED of one build the same dedupe key', () => {
    const finalized = fixture('jenkins/notification.completed-success.json');
    finalized.build.phase = 'FINALIZED';
    expect(jenkins(finalized, DEPLOY_JOB).dedupeKey).toBe(jenkins(fixture('jenkins/notification.completed-success.json'), DEPLOY_JOB).dedupeKey);
  });

  it('records FAILURE as a failed deployment and ignores UNSTABLE and ABORTED', () => {
    const build = (status: string) => {
      const p = fixture('jenkins/notification.completed-success.json');
      p.build.status = status;
      return jenkins(p, DEPLOY_JOB);
    };
    expect(details(build('FAILURE'))[0]?.status).toBe('failure');
    expect(build('UNSTABLE').body).toEqual({ ignored: true, reason: 'build status UNSTABLE is not a finished deployment' });
    expect(build('ABORTED').body).toMatchObject({ ignored: true });
  });

  it('ignores STARTED builds under a phase-specific dedupe key, so the finished post is not dropped', () => {
    const r = jenkins(fixture('jenkins/notification.started.json'), DEPLOY_JOB);
    expect(r).toMatchObject({ status: 202, body: { ignored: true }, dedupeKey: 'jenkins:payments-api-deploy-prod#89:STARTED' });
  });

  it('ignores jobs that are not configured as deploys and builds of other branches', () => {
    const other = fixture('jenkins/notification.completed-success.json');
    other.build.scm.branch = 'origin/feature-x';
    expect(jenkins(fixture('jenkins/notification.completed-success.json')).body).toEqual({
      ignored: true,
      reason: 'job "payments-api-deploy-prod" is not configured as a deployment',
    });
    expect(jenkins(other, DEPLOY_JOB).body).toMatchObject({ ignored: true });
  });

  it('rejects a notification without a build number, naming build.number', () => {
    const p = fixture('jenkins/notification.completed-success.json');
    delete p.build.number;
    expect(jenkins(p, DEPLOY_JOB).body).toMatchObject({ error: { code: 'schema_violation', details: { path: 'build.number' } } });
  });

  it('parses owner/name from https, ssh and scp-style git URLs', () => {
    expect(repositoryFromGitUrl('https://github.com/acme/payments-api.git')).toBe('acme/payments-api');
    expect(repositoryFromGitUrl('git@github.com:acme/payments-api.git')).toBe('acme/payments-api');
    expect(repositoryFromGitUrl('ssh://git@gitlab.example.test:2222/group/sub/app.git')).toBe('group/sub/app');
    expect(repositoryFromGitUrl('https://github.com/acme/payments-api/')).toBe('acme/payments-api');
    expect(repositoryFromGitUrl('not a url')).toBeUndefined();
  });
});

const DEPLOY_WORKFLOW: WebhookOptions = { circleci: { deployWorkflows: [{ name: 'deploy-production', environment: 'production' }] } };

describe('CircleCI outbound webhooks', () => {
  it('records a configured workflow-completed as a deployment, deduped by the event id', () => {
    const r = circle(fixture('circleci/workflow-completed.json'), DEPLOY_WORKFLOW);
    expect(r.dedupeKey).toBe('circleci:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0');
    expect(details(r)).toEqual([
      expect.objectContaining({
        type: 'Deployment Finished',
        service: 'checkout-web',
        environment: 'production',
        deploymentId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        status: 'success',
        startedAt: '2026-02-28T09:30:00.000Z',
        finishedAt: '2026-02-28T09:40:12.000Z',
        commitShas: ['7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f'],
        repository: 'acme/checkout-web',
      }),
    ]);
  });

  it('records a configured job of a workflow from job-completed, with the job status', () => {
    const r = circle(fixture('circleci/job-completed.json'), {
      circleci: { deployWorkflows: [{ name: 'build-test-deploy', job: 'deploy-production', environment: 'production', service: 'checkout' }] },
    });
    expect(details(r)).toMatchObject([
      { service: 'checkout', deploymentId: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', status: 'failure', finishedAt: '2026-02-28T09:38:00.000Z' },
    ]);
  });

  it('does not count a job-completed under a workflow-level rule', () => {
    const r = circle(fixture('circleci/job-completed.json'), {
      circleci: { deployWorkflows: [{ name: 'build-test-deploy', environment: 'production' }] },
    });
    expect(r.body).toMatchObject({ ignored: true });
  });

  it('ignores unconfigured workflows, canceled workflows and other event types', () => {
    const canceled = fixture('circleci/workflow-completed.json');
    canceled.workflow.status = 'canceled';
    const other = { ...fixture('circleci/workflow-completed.json'), type: 'pipeline-created' };
    expect(circle(fixture('circleci/workflow-completed.json')).body).toEqual({
      ignored: true,
      reason: 'workflow "deploy-production" is not configured as a deployment',
    });
    expect(circle(canceled, DEPLOY_WORKFLOW).body).toMatchObject({ ignored: true });
    expect(circle(other, DEPLOY_WORKFLOW).body).toEqual({ ignored: true, reason: 'CircleCI event "pipeline-created" is not ingested' });
  });

  it('rejects a workflow-completed without a workflow name', () => {
    const p = fixture('circleci/workflow-completed.json');
    delete p.workflow.name;
    expect(circle(p, DEPLOY_WORKFLOW).body).toMatchObject({ error: { code: 'schema_violation', details: { path: 'workflow.name' } } });
  });

  it('strips the VCS prefix from project slugs', () => {
    expect(repositoryFromSlug('gh/acme/checkout-web')).toBe('acme/checkout-web');
    expect(repositoryFromSlug('bb/acme/checkout-web')).toBe('acme/checkout-web');
    expect(repositoryFromSlug('circleci/ORG-ID/PROJECT-ID')).toBe('circleci/ORG-ID/PROJECT-ID');
  });
});
