/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 description of every route of functions/api/routes.ts (api, flags and
 * webhooks handlers). Hand-written from the handlers (api.ts, control.ts, releases.ts, dora.ts, http-errors.ts
 * `presentRollout`, functions/flags/http.ts, core/webhooks/ingest.ts). test/unit/openapi.test.ts checks every route
 * is here and every schema compiles; test/e2e/openapi.test.ts validates real responses against it.
 */

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const obj: Schema = { type: 'object' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const object = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra = false): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: extra,
});
const day: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const jsonContent = (schema: Schema) => ({ 'application/json': { schema } });
const res = (description: string, schema: Schema) => ({ description, content: jsonContent(schema) });
const err = (description: string) => res(description, ref('Error'));
const param = (name: string, where: 'path' | 'query', schema: Schema = str, description?: string) => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  ...(description ? { description } : {}),
});

const rolloutSummary: Record<string, Schema> = {
  rolloutId: str,
  service: str,
  environment: str,
  image: str,
  stableImage: nullable(str),
  phase: { enum: ['Pending', 'Progressing', 'Paused', 'Aborting', 'Healthy', 'RolledBack', 'Aborted', 'Failed'] },
  message: str,
  step: object({ index: int, total: int }),
  weights: object({ stable: num, canary: num }),
  outcome: nullable(str),
  failure: nullable(obj),
  createdAt: str,
  updatedAt: str,
};

const stats = object({ samples: int, medianMinutes: nullable(num), p90Minutes: nullable(num) });
const level = nullable(str);
const metrics: Record<string, Schema> = {
  from: day,
  to: day,
  days: int,
  counts: { type: 'object', additionalProperties: int },
  deploymentFrequency: object({ successful: int, perDay: num, perWeek: num }),
  leadTime: stats,
  changeFailRate: nullable(num),
  recoveryTime: stats,
  reworkRate: nullable(num),
  levels: object({ deploymentFrequency: level, leadTime: level, changeFailRate: level, recoveryTime: level, overall: level }),
};

const schemas: Record<string, Schema> = {
  Error: object({ error: object({ code: str, message: str, details: {} }, ['code', 'message']) }),
  RolloutSummary: object(rolloutSummary),
  RolloutDetail: object(
    { ...rolloutSummary, spec: obj, status: obj, trigger: obj, revision: obj, stableRevision: nullable(obj), audit: { type: 'array', items: obj }, measurements: { type: 'array', items: obj } },
    [...Object.keys(rolloutSummary), 'spec', 'status', 'trigger', 'revision', 'audit', 'measurements'],
  ),
  Service: object({ name: str, repository: str, environment: str, stableImage: nullable(str), activeRolloutId: nullable(str), configVersion: str }),
  CommandBody: object({ reason: { type: 'string', maxLength: 500 }, full: { type: 'boolean', description: 'promote only: promote --full' } }, []),
  CommandResult: object({ message: str, rollout: ref('RolloutSummary') }),
  RollbackStarted: object({ message: str, rolloutId: str }),
  ReleaseBody: object(
    {
      releaseId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      components: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: object({ service: { type: 'string', minLength: 1, maxLength: 63 }, digest: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' }, tag: { type: 'string', maxLength: 128 } }, ['service', 'digest']),
      },
      reason: { type: 'string', maxLength: 500 },
    },
    ['components'],
  ),
  Release: object(
    {
      releaseId: str,
      status: { enum: ['running', 'succeeded', 'failed'] },
      levels: { type: 'array', items: { type: 'array', items: str } },
      level: int,
      components: { type: 'object', additionalProperties: object({ service: str, revision: obj, level: int, state: str, rolloutId: str }, ['service', 'revision', 'level', 'state']) },
      actor: str,
      reason: str,
      createdAt: str,
      updatedAt: str,
      failure: str,
      version: int,
    },
    ['releaseId', 'status', 'levels', 'level', 'components', 'actor', 'reason', 'createdAt', 'updatedAt', 'version'],
  ),
  DoraMetrics: object(metrics),
  DoraResult: object({
    window: object({ from: day, to: day, days: int, bucket: { enum: ['day', 'week', 'month'] } }),
    total: ref('DoraMetrics'),
    buckets: { type: 'array', items: object({ key: day, ...metrics }) },
    scope: object({ services: { anyOf: [{ type: 'array', items: str }, { const: 'all' }] }, environment: str, team: str }, ['services', 'environment']),
  }),
  EvaluationContext: { type: 'object', properties: { targetingKey: str }, additionalProperties: true },
  OfrepRequest: { type: 'object', properties: { context: ref('EvaluationContext') } },
  OfrepSuccess: object({ key: str, reason: str, variant: str, value: {}, metadata: obj }, ['key', 'reason', 'metadata']),
  OfrepError: object({ key: str, errorCode: str, errorDetails: str, metadata: obj }, ['errorCode', 'errorDetails']),
  OfrepAuthError: object({ errorDetails: str }),
  OfrepBulk: object({ flags: { type: 'array', items: { anyOf: [ref('OfrepSuccess'), ref('OfrepError')] } } }),
  OfrepConfiguration: { type: 'object', properties: { name: str, capabilities: obj }, required: ['name', 'capabilities'] },
  FlagEvaluateRequest: { type: 'object', properties: { flag_key: { type: 'string', minLength: 1 }, context: ref('EvaluationContext') }, required: ['flag_key'] },
  FlagEvaluateResult: object(
    { flag_key: str, enabled: { type: 'boolean' }, variant: nullable(str), reason: str, timestamp: str, value: {}, error_code: str, error_message: str },
    ['flag_key', 'enabled', 'variant', 'reason', 'timestamp'],
  ),
  WebhookResult: {
    anyOf: [
      object({ pong: { const: true } }),
      object({ ignored: { const: true }, reason: str }),
      object({ accepted: { const: true }, events: { type: 'array', items: object({ detailType: str, detail: obj }) } }),
      object({ duplicate: { const: true } }),
    ],
  },
};

const id = param('id', 'path', { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,200}$' });
const ofrepErrors = {
  '400': res('invalid context or body, or an evaluation error', ref('OfrepError')),
  '401': res('API key missing or invalid', ref('OfrepAuthError')),
  '413': res('body too large', ref('OfrepAuthError')),
  '415': res('not JSON', ref('OfrepAuthError')),
  '429': res('rate limited (Retry-After)', ref('OfrepError')),
};
const flagErrors = { '400': err('invalid body'), '401': err('API key missing or invalid'), '404': err('no such flag'), '413': err('body too large'), '415': err('not JSON'), '429': err('rate limited') };
const iam = [{ iam: [] }];
const body = (name: string, required = false) => ({ required, content: jsonContent(ref(name)) });

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Lumina Deploy API', version: '1.0.0', description: 'Rollouts, releases, DORA metrics, feature flags (OFREP) and CI webhooks.' },
  components: {
    schemas,
    securitySchemes: { iam: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS SigV4 (IAM); locally none (x-lumina-actor names the actor)' } },
  },
  paths: {
    '/health': { get: { operationId: 'health', responses: { '200': res('up', object({ status: { const: 'ok' } })) } } },
    '/api/openapi.json': { get: { operationId: 'openapi', responses: { '200': res('this document', obj) } } },
    '/api/services': {
      get: { operationId: 'listServices', security: iam, responses: { '200': res('every service', object({ services: { type: 'array', items: ref('Service') } })) } },
    },
    '/api/rollouts': {
      get: {
        operationId: 'listRollouts',
        security: iam,
        parameters: [
          { ...param('service', 'query', { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}(\\.[A-Za-z0-9][A-Za-z0-9_-]{0,62})?$' }, 'a service or <service>.<environment>'), required: true },
          param('limit', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
        ],
        responses: { '200': res('newest first', object({ rollouts: { type: 'array', items: ref('RolloutSummary') } })), '400': err('InvalidQuery'), '404': err('ServiceNotFound') },
      },
    },
    '/api/rollouts/{id}': {
      get: { operationId: 'getRollout', security: iam, parameters: [id], responses: { '200': res('the rollout with its measurements', ref('RolloutDetail')), '400': err('InvalidRolloutId'), '404': err('RolloutNotFound') } },
    },
    '/api/rollouts/{id}/{command}': {
      post: {
        operationId: 'rolloutCommand',
        security: iam,
        parameters: [id, param('command', 'path', { enum: ['promote', 'pause', 'resume', 'approve', 'reject', 'abort', 'rollback'] })],
        requestBody: body('CommandBody'),
        responses: {
          '200': res('command applied', ref('CommandResult')),
          '202': res('rollback started (idempotent)', ref('RollbackStarted')),
          '400': err('MalformedJson / InvalidRequest'),
          '404': err('UnknownCommand / RolloutNotFound'),
          '409': err('CommandNotApplicable'),
          '413': err('PayloadTooLarge'),
          '415': err('UnsupportedMediaType'),
        },
      },
    },
    '/api/releases': {
      post: {
        operationId: 'startRelease',
        security: iam,
        requestBody: body('ReleaseBody', true),
        responses: { '202': res('release started', object({ release: ref('Release') })), '400': err('MalformedJson / InvalidRequest'), '409': err('ReleaseNotApplicable'), '413': err('PayloadTooLarge'), '415': err('UnsupportedMediaType') },
      },
    },
    '/api/releases/{id}': {
      get: { operationId: 'getRelease', security: iam, parameters: [param('id', 'path', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' })], responses: { '200': res('the release', object({ release: ref('Release') })), '404': err('ReleaseNotFound') } },
    },
    '/api/dora': {
      get: {
        operationId: 'dora',
        security: iam,
        parameters: [
          param('service', 'query'),
          param('environment', 'query', { type: 'string', default: 'production' }),
          param('team', 'query'),
          param('from', 'query', day, 'default: 29 days before to'),
          param('to', 'query', day, 'default: today (UTC)'),
          param('bucket', 'query', { enum: ['day', 'week', 'month'], default: 'week' }),
        ],
        responses: { '200': res('DORA metrics and levels', ref('DoraResult')), '400': err('InvalidQuery (details: [{path, message}])') },
      },
    },
    '/feature-flags/evaluate': {
      post: { operationId: 'evaluateFlag', requestBody: body('FlagEvaluateRequest', true), responses: { '200': res('the evaluation', ref('FlagEvaluateResult')), ...flagErrors } },
    },
    '/ofrep/v1/evaluate/flags/{key}': {
      post: {
        operationId: 'ofrepEvaluateFlag',
        parameters: [param('key', 'path')],
        requestBody: body('OfrepRequest'),
        responses: { '200': res('the evaluation', ref('OfrepSuccess')), '404': res('FLAG_NOT_FOUND', ref('OfrepError')), ...ofrepErrors },
      },
    },
    '/ofrep/v1/evaluate/flags': {
      post: {
        operationId: 'ofrepEvaluateFlags',
        parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: str }],
        requestBody: body('OfrepRequest'),
        responses: { '200': { ...res('every flag (ETag header)', ref('OfrepBulk')), headers: { ETag: { schema: str } } }, '304': { description: 'not modified' }, ...ofrepErrors },
      },
    },
    '/ofrep/v1/configuration': { get: { operationId: 'ofrepConfiguration', responses: { '200': res('OFREP capabilities', ref('OfrepConfiguration')), ...ofrepErrors } } },
    '/webhooks/{provider}': {
      post: {
        operationId: 'webhook',
        parameters: [param('provider', 'path', { enum: ['github', 'gitlab', 'jenkins', 'circleci', 'generic'] }), param('token', 'query', str, 'jenkins only: copied into x-lumina-token')],
        requestBody: { required: true, content: { 'application/json': { schema: {} }, 'application/x-www-form-urlencoded': { schema: str } } },
        responses: {
          '200': res('pong, or a duplicate delivery', ref('WebhookResult')),
          '202': res('accepted or ignored', ref('WebhookResult')),
          '400': err('unknown provider, malformed or invalid payload'),
          '401': err('bad signature or token'),
          '413': err('payload too large'),
          '415': err('unsupported media type'),
          '500': err('internal_error: storage or bus failed; redeliver'),
        },
      },
    },
  },
};
