import { describe, expect, it } from 'vitest';
import { InvalidConfigError, parseDeliveryConfig } from '../../core/config/services.js';

describe('parseDeliveryConfig', () => {
  it('fills defaults: production environment, 10/25/50/75/100 stages, default analysis', () => {
    const [svc] = parseDeliveryConfig({ services: { demo: { repository: 'demo', router: { kind: 'local' } } } });
    expect(svc).toMatchObject({ name: 'demo', environment: 'production', canary: { stages: [10, 25, 50, 75, 100], stageSeconds: 300 } });
    expect(svc!.canary.analysis.metrics.map((m) => m.metric)).toEqual(['http5xxRate', 'latencyP99', 'unhealthyHosts']);
  });

  it('rejects the whole config, naming the exact path of every problem', () => {
    const attempt = () =>
      parseDeliveryConfig({
        services: {
          api: { repository: 'api', router: { kind: 'local' }, canary: { stages: [10, 50, 25, 100] } },
          web: { repository: 'api', router: { kind: 'alb', listenerArn: 'nope' } },
          Bad_Name: { repository: 'x', router: { kind: 'local' } },
        },
      });
    expect(attempt).toThrow(InvalidConfigError);
    try {
      attempt();
    } catch (e) {
      const paths = (e as InvalidConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['services.api.canary.stages', 'services.web.router.listenerArn', 'services.Bad_Name']));
      expect((e as Error).message).toContain('services.api.canary.stages: stages must increase strictly');
    }
  });

  it('rejects two services on one repository', () => {
    expect(() =>
      parseDeliveryConfig({ services: { a: { repository: 'r1', router: { kind: 'local' } }, b: { repository: 'r1', router: { kind: 'local' } } } }),
    ).toThrow('services.b.repository: repository r1 is already mapped to service a');
  });
});

describe('lumina.config.example.json (what the README tells users to copy)', () => {
  it('is a valid delivery config', async () => {
    const { readFileSync } = await import('node:fs');
    const services = parseDeliveryConfig(JSON.parse(readFileSync(new URL('../../lumina.config.example.json', import.meta.url), 'utf8')));
    expect(services.map((s) => s.name)).toEqual(['checkout', 'catalog']);
    expect(services.every((s) => s.router.kind === 'alb')).toBe(true);
  });
});
