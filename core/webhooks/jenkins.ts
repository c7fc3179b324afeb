import * as z from 'zod';
import {
  NonEmpty,
  Sha,
  check,
  deploymentFinished,
  findRule,
  ignored,
  lookup,
  resolveService,
  type ParseInput,
  type ParseOutcome,
} from './shared.js';
import { fromUnixMillis } from './time.js';

/**
 * Jenkins Notification plugin (plugins.jenkins.io/notification), JSON format:
 *   { name, url, build: { full_url, number, phase, status, url, scm: { url, branch, commit }, parameters?, timestamp? } }
 * The plugin posts for QUEUED, STARTED, COMPLETED and FINALIZED. Only COMPLETED / FINALIZED of a job
 * named by a `jenkins.deployJobs` rule count, and only with status SUCCESS (→ success) or FAILURE
 * (→ failure); UNSTABLE, ABORTED and NOT_BUILT are ignored.
 *
 * Dedupe key: `<job>#<build number>:finished` for COMPLETED and FINALIZED alike, so the second of the
 * two posts per build is dropped as a duplicate; other phases get `<job>#<number>:<phase>`.
 * Times: startedAt from build.timestamp (epoch ms) when sent; finishedAt is the receipt time (the plugin
 * sends no end time). Service: the rule's, else the repository parsed from scm.url, else the job name.
 * Optional build parameters LUMINA_UNPLANNED=true and LUMINA_FIXES_INCIDENT=<id> feed rework rate.
 *
 * The plugin cannot add headers; the HTTP layer may copy a credential-stored `?token=` into
 * `X-Lumina-Token`, or a proxy / `httpRequest` step sends the header (see README).
 */

const JenkinsPayload = z.looseObject({
  name: NonEmpty,
  url: z.string().optional(),
  build: z.looseObject({
    number: z.number().int().min(0),
    phase: NonEmpty,
    status: z.string().nullable().optional(),
    full_url: z.string().optional(),
    timestamp: z.number().optional(),
    scm: z
      .looseObject({ url: z.string().optional(), branch: z.string().optional(), commit: Sha.optional() })
      .optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const FINISHED = new Set(['COMPLETED', 'FINALIZED']);
const STATUS = { SUCCESS: 'success', FAILURE: 'failure' } as const;

/** owner/name from a git remote: https://host/owner/name(.git), git@host:owner/name.git, ssh://… */
export function repositoryFromGitUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /^(?:[a-z+]+:\/\/[^/]+\/|[^@/\s]+@[^:/\s]+:)(.+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m?.[1] && m[1].includes('/') ? m[1] : undefined;
}

export function parseJenkins(input: ParseInput): ParseOutcome {
  const c = check(JenkinsPayload, input.payload, 'Jenkins notification');
  if (!c.ok) return c.outcome;
  const { name, build } = c.data;
  const phase = build.phase.toUpperCase();
  const finished = FINISHED.has(phase);
  const deliveryId = `${name}#${build.number}:${finished ? 'finished' : phase}`;
  if (!finished) return ignored(`build phase ${phase} is not a finished build`, deliveryId);
  const branch = build.scm?.branch?.replace(/^(?:refs\/heads\/|origin\/)/, '');
  const rule = findRule(input.options.jenkins?.deployJobs, name, branch);
  if (!rule) return ignored(`job "${name}" is not configured as a deployment`, deliveryId);
  const status = lookup(STATUS, build.status);
  if (!status) return ignored(`build status ${build.status ?? 'none'} is not a finished deployment`, deliveryId);

  const repository = repositoryFromGitUrl(build.scm?.url);
  const service = rule.service ?? (repository ? resolveService(repository, input.options.services) : name);
  const param = (key: string) => {
    const v = build.parameters?.[key];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const unplanned = param('LUMINA_UNPLANNED');
  const event = deploymentFinished(
    { provider: 'jenkins', deliveryId, input },
    {
      service,
      environment: rule.environment,
      deploymentId: `${name}#${build.number}`,
      status,
      startedAt: build.timestamp === undefined ? undefined : fromUnixMillis(build.timestamp),
      finishedAt: input.receivedAt,
      commitShas: build.scm?.commit ? [build.scm.commit] : [],
      repository,
      unplanned: unplanned === undefined ? undefined : unplanned.toLowerCase() === 'true',
      fixesIncident: param('LUMINA_FIXES_INCIDENT'),
    },
  );
  return { kind: 'events', deliveryId, events: [event] };
}
