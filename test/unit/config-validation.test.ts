import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/config/errors.js';
import { parseDeliveryConfig } from '../../core/config/services.js';
import { isExtendedConfig, parseDeliveryFile, validateDeliveryConfig } from '../../core/config/validate.js';

const local = { kind: 'local' } as const;
const svc = (over: Record<string, unknown> = {}) => ({ repository: `r/${Math.random().toString(36).slice(2, 8)}`, router: local, ...over });
const issuesOf = (input: unknown) => validateDeliveryConfig(input).issues.map((i) => `${i.path}: ${i.message}`);

describe('validation names the exact path of each problem (environments by name)', () => {
  it.each<[string, unknown, string]>([
    [
      'canary stages not increasing, naming the previous stage',
      { services: { api: svc({ environments: [{ name: 'prod', strategy: { kind: 'canary', stages: [10, 25, 25, 100] } }] }) } },
      'services.api.environments.prod.strategy.stages[2]: must be > 25',
    ],
    [
      'a later stage below an earlier one',
      { services: { api: svc({ environments: [{ name: 'dev' }, { name: 'prod', strategy: { kind: 'canary', stages: [10, 50, 30, 100] } }] }) } },
      'services.api.environments.prod.strategy.stages[2]: must be > 50',
    ],
    [
      'last stage not 100',
      { services: { api: svc({ strategy: { kind: 'canary', stages: [10, 50] } }) } },
      'services.api.strategy.stages[1]: the last stage must be 100 (got 50)',
    ],
    [
      'the canary shorthand gets the same precise check',
      { services: { api: svc({ environments: [{ name: 'staging', canary: { stages: [20, 10, 100] } }] }) } },
      'services.api.environments.staging.canary.stages[1]: must be > 20',
    ],
    [
      'an environment listed twice keeps its index (a name would be ambiguous)',
      { services: { api: svc({ environments: [{ name: 'dev' }, { name: 'prod' }, { name: 'dev' }] }) } },
      'services.api.environments[2].name: environment dev is listed twice',
    ],
    ['dependsOn an unknown service, with a suggestion', { services: { api: svc({ dependsOn: ['wrker'] }), worker: svc() } }, 'services.api.dependsOn[0]: unknown service wrker (did you mean worker?)'],
    ['a service depending on itself', { services: { api: svc({ dependsOn: ['api'] }) } }, 'services.api.dependsOn[0]: a service cannot depend on itself'],
    ['a dependency cycle, named in order', { services: { api: svc({ dependsOn: ['worker'] }), worker: svc({ dependsOn: ['api'] }) } }, 'services.api.dependsOn: dependency cycle: api → worker → api'],
    ['no router anywhere', { services: { api: { repository: 'r/api', environments: [{ name: 'prod' }] } } }, 'services.api.environments.prod.router: required: set router on the environment or on the service'],
    ['both strategy and canary', { services: { api: svc({ strategy: { kind: 'rolling' }, canary: {} }) } }, 'services.api.canary: use either strategy or canary (the shorthand for a canary strategy), not both'],
    ['both environment and environments', { services: { api: svc({ environment: 'prod', environments: [{ name: 'prod' }] }) } }, 'services.api.environment: use either environment (one environment) or environments (a list), not both'],
    ['an unknown key, with a suggestion', { services: { api: svc({ dependOn: [] }) } }, 'services.api.dependOn: unknown key (did you mean dependsOn?)'],
    [
      'a strategy option out of range',
      { services: { api: svc({ environments: [{ name: 'prod', strategy: { kind: 'blueGreen', prePromotionSeconds: 60 } }] }) } },
      'services.api.environments.prod.strategy.prePromotionSeconds: pre-promotion analysis needs testTraffic: true',
    ],
    ['an unknown strategy kind', { services: { api: svc({ strategy: { kind: 'shadow' } }) } }, "services.api.strategy.kind: Invalid discriminator value. Expected 'canary' | 'blueGreen' | 'rolling'"],
    ['an approval timeout of 0', { services: { api: svc({ environments: [{ name: 'prod', approval: { timeoutSeconds: 0 } }] }) } }, 'services.api.environments.prod.approval.timeoutSeconds: Too small: expected number to be >=1'],
    ['an invalid SNS topic', { services: { api: svc({ notify: [{ kind: 'sns', topicArn: 'my-topic' }] }) } }, 'services.api.notify[0].topicArn: must be an SNS topic ARN'],
    ['a plain-http webhook', { services: { api: svc({ notify: [{ kind: 'webhook', url: 'http://hooks.example.com/x' }] }) } }, 'services.api.notify[0].url: must be an https URL (http only for localhost)'],
    ['a security ignore entry that is not an id', { services: { api: svc({ security: { ignore: ['all of them'] } }) } }, 'services.api.security.ignore[0]: must be a vulnerability id such as CVE-2024-1234'],
    ['two services on one repository', { services: { a: svc({ repository: 'r/x' }), b: svc({ repository: 'r/x' }) } }, 'services.b.repository: repository r/x is already mapped to service a'],
  ])('%s', (_name, input, expected) => {
    expect(issuesOf(input)).toContain(expected);
  });

  it('reports every problem of the file at once, grouped by service in file order', () => {
    const input = {
      services: {
        worker: svc({ dependsOn: ['ghost'] }),
        api: svc({ environments: [{ name: 'prod', strategy: { kind: 'canary', stages: [50, 40] } }] }),
      },
    };
    expect(issuesOf(input)).toEqual([
      'services.worker.dependsOn[0]: unknown service ghost',
      'services.api.environments.prod.strategy.stages[1]: must be > 50',
      'services.api.environments.prod.strategy.stages[1]: the last stage must be 100 (got 40)',
    ]);
  });

  it('rejects an invalid config whole with InvalidConfigError carrying every issue', () => {
    const attempt = () => parseDeliveryFile({ services: { api: svc({ dependsOn: ['api'], strategy: { kind: 'canary', stages: [10, 5, 100] } }) } });
    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow('services.api.strategy.stages[1]: must be > 10');
    try {
      attempt();
    } catch (e) {
      expect((e as InvalidConfigError).issues).toHaveLength(2);
    }
  });
});

describe('inline secrets are rejected: only references to SSM or Secrets Manager', () => {
  const advice = "{ ssm: '/path' } or { secretsManager: 'name-or-arn' }";
  it.each<[string, Record<string, unknown>, string]>([
    ['a token field on a webhook', { notify: [{ kind: 'webhook', url: 'https://h.example.com', token: 'abc123' }] }, 'services.api.notify[0].token'],
    ['a password field on a service', { password: 'hunter2' }, 'services.api.password'],
    ['an apiKey field', { notify: [{ kind: 'webhook', url: 'https://h.example.com', apiKey: 'k-123' }] }, 'services.api.notify[0].apiKey'],
    ['a Slack webhook URL, which is itself a secret', { notify: [{ kind: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/abc' }] }, 'services.api.notify[0].url'],
    ['a URL with a password', { notify: [{ kind: 'webhook', url: 'https://bot:pa55@h.example.com/x' }] }, 'services.api.notify[0].url'],
    ['a URL with a token in its query', { notify: [{ kind: 'webhook', url: 'https://h.example.com/x?token=abc' }] }, 'services.api.notify[0].url'],
    ['an AWS access key id anywhere', { team: 'AKIAIOSFODNN7EXAMPLE' }, 'services.api.team'],
  ])('%s', (_name, fields, path) => {
    const issues = validateDeliveryConfig({ services: { api: svc(fields) } }).issues;
    const issue = issues.find((i) => i.path === path);
    expect(issue?.message).toContain(advice);
    expect(issues.filter((i) => i.path === path)).toHaveLength(1); // not also "unknown key"
  });

  it('a secret reference given as a plain string says what a reference looks like', () => {
    expect(issuesOf({ services: { api: svc({ notify: [{ kind: 'slack', webhookSecretRef: 'xoxb-not-a-ref' }] }) } })).toContain(
      `services.api.notify[0].webhookSecretRef: must be a secret reference: { ssm: '/path' } or { secretsManager: 'name-or-arn' }`,
    );
  });

  it('accepts references to SSM Parameter Store and Secrets Manager', () => {
    const notify = [
      { kind: 'slack', webhookSecretRef: { ssm: '/lumina/prod/slack' } },
      { kind: 'webhook', url: 'https://h.example.com/x', secretRef: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lumina/hook-AbCdEf' } },
    ];
    expect(issuesOf({ services: { api: svc({ notify }) } })).toEqual([]);
  });
});

describe('the original single-environment configs keep working', () => {
  const fixtures = ['test/fixtures/config/alb.config.json', 'test/fixtures/config/local-fast.config.json', 'lumina.config.example.json'];

  it('local/demo.config.json (newer format: strategies, approval, security) parses into its four targets', () => {
    const services = parseDeliveryConfig(JSON.parse(readFileSync('local/demo.config.json', 'utf8')));
    expect(services.map((s) => [s.name, s.strategy?.kind, !!s.approval])).toEqual([
      ['demo', 'canary', false],
      ['demo-bluegreen', 'blueGreen', false],
      ['demo-gated', 'canary', true],
      ['demo-rolling', 'rolling', false],
    ]);
  });

  it.each(fixtures)('%s parses with both parsers to the same service settings', (file) => {
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(isExtendedConfig(raw)).toBe(false);
    const legacy = parseDeliveryConfig(raw);
    const { config } = parseDeliveryFile(raw);
    for (const s of legacy) {
      const [env, ...more] = config.services[s.name]!.environments;
      expect(more).toEqual([]);
      expect(env).toMatchObject({ name: s.environment, router: s.router, strategy: { kind: 'canary', ...s.canary }, approval: { required: false } });
    }
  });

  it('parseDeliveryConfig returns one target per environment, <service>.<env>, chained in promotion order', () => {
    const services = parseDeliveryConfig({
      services: { api: { repository: 'shop/api', router: local, environments: [{ name: 'dev', strategy: { kind: 'blueGreen' } }, { name: 'prod' }] } },
    });
    expect(services).toEqual([
      expect.objectContaining({ name: 'api.dev', environment: 'dev', router: local, strategy: expect.objectContaining({ kind: 'blueGreen' }), progression: { service: 'api', first: true, next: 'api.prod' } }),
      expect.objectContaining({ name: 'api.prod', environment: 'prod', progression: { service: 'api', first: false } }),
    ]);
  });

  it('a service with a single environment keeps its own name as its target', () => {
    const [svc] = parseDeliveryConfig({ services: { api: { repository: 'shop/api', router: local, environments: [{ name: 'prod', strategy: { kind: 'blueGreen' } }] } } });
    expect(svc).toMatchObject({ name: 'api', environment: 'prod' });
    expect(svc!.progression).toBeUndefined();
  });

  it('parseDeliveryConfig rejects a newer-format config with the precise paths', () => {
    expect(() => parseDeliveryConfig({ services: { api: svc({ environments: [{ name: 'prod', canary: { stages: [10, 5, 100] } }] }) } })).toThrow(
      'services.api.environments.prod.canary.stages[1]: must be > 10',
    );
  });
});
