import { describe, expect, it } from 'vitest';
import { UnknownEnvironmentError, UnknownServiceError } from '../../core/config/errors.js';
import { loadDeliveryConfigFile } from '../../core/config/load.js';
import { environmentsOf, resolveEnvironment, serviceForRepository, toServiceConfigs } from '../../core/config/resolve.js';
import { specFor } from '../../core/delivery/strategies.js';

const { config, configVersion } = await loadDeliveryConfigFile('test/fixtures/config/delivery.yaml');

describe('resolveEnvironment', () => {
  it('gives production its own strategy, approval gate, notify targets and inherited security policy', () => {
    const r = resolveEnvironment(config, 'payments', 'production');
    expect(r).toMatchObject({
      service: 'payments',
      environment: 'production',
      repository: 'shop/payments',
      team: 'payments',
      index: 2,
      previous: 'staging',
      next: null,
      configVersion,
      strategy: { kind: 'blueGreen', testTraffic: true, prePromotionSeconds: 120, bakeSeconds: 600, scaleDownDelaySeconds: 900 },
      approval: { required: true, timeoutSeconds: 86_400, onTimeout: 'reject' },
      router: { kind: 'local' },
      security: { enabled: true, maxCritical: 0, maxHigh: 0, onMissing: 'warn', ignore: ['CVE-2023-44487'] },
    });
    expect(r.notify.map((n) => n.kind)).toEqual(['slack', 'webhook']);
  });

  it('puts the approval step before the strategy steps when approval is required', () => {
    const r = resolveEnvironment(config, 'payments', 'production');
    expect(r.spec.steps[0]).toEqual({ kind: 'approval', gate: 'approve-production', timeoutSeconds: 86_400, onTimeout: 'reject' });
    expect(r.spec.steps.slice(1)).toEqual(specFor(r.strategy).steps);
  });

  it('falls back to the service settings, then to the built-in defaults', () => {
    const dev = resolveEnvironment(config, 'payments', 'dev');
    expect(dev.strategy).toMatchObject({ kind: 'canary', stages: [10, 25, 50, 75, 100], stageSeconds: 300, autoPromote: true });
    expect(dev.approval).toEqual({ required: false, timeoutSeconds: 86_400, onTimeout: 'reject' });
    expect(dev.notify).toEqual([]);
    expect(dev.spec.steps[0]).toEqual({ kind: 'setWeight', weight: 10 });
    expect(resolveEnvironment(config, 'catalog', 'staging').notify).toEqual([{ kind: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:catalog-deploys' }]);
    expect(resolveEnvironment(config, 'api', 'dev').security).toEqual({ enabled: true, maxCritical: 0, maxHigh: null, onMissing: 'warn', ignore: [] });
  });

  it('expands the canary shorthand into a canary strategy', () => {
    expect(resolveEnvironment(config, 'api', 'dev').strategy).toMatchObject({ kind: 'canary', stages: [50, 100], stageSeconds: 30 });
  });

  it('without an environment, resolves the first one (where a push lands)', () => {
    expect(resolveEnvironment(config, 'api')).toMatchObject({ environment: 'dev', previous: null, next: 'staging', dependsOn: ['catalog', 'payments'], ignoreTags: ['latest'] });
  });

  it('names what exists when the service or environment does not', () => {
    expect(() => resolveEnvironment(config, 'checkout')).toThrow(UnknownServiceError);
    expect(() => resolveEnvironment(config, 'checkout')).toThrow('known services: api, catalog, payments');
    expect(() => resolveEnvironment(config, 'api', 'prod')).toThrow(UnknownEnvironmentError);
    expect(() => resolveEnvironment(config, 'api', 'prod')).toThrow('its environments: dev → staging → production');
  });
});

describe('lookups', () => {
  it('finds the service of a repository and its environments in order', () => {
    expect(serviceForRepository(config, 'shop/catalog')?.name).toBe('catalog');
    expect(serviceForRepository(config, 'shop/nope')).toBeUndefined();
    expect(environmentsOf(config, 'catalog')).toEqual(['dev', 'staging', 'production']);
  });

  it('projects each (service, environment) onto the original ServiceConfig shape, one target each', () => {
    const byName = Object.fromEntries(toServiceConfigs(config).map((s) => [s.name, s]));
    expect(byName['catalog.dev']).toMatchObject({ environment: 'dev', repository: 'shop/catalog', strategy: { kind: 'rolling', instances: 2 }, canary: { stages: [10, 25, 50, 75, 100] } });
    expect(byName['api.dev']).toMatchObject({ environment: 'dev', ignoreTags: ['latest'], canary: { stages: [50, 100], stageSeconds: 30 } });
    expect(Object.values(byName).filter((s) => s.progression?.first).map((s) => s.name).sort()).toEqual(Object.keys(config.services).map((n) => `${n}.dev`).sort());
  });
});
