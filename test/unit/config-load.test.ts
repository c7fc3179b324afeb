import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, InvalidConfigError } from '../../core/config/errors.js';
import { deployLevels } from '../../core/config/graph.js';
import { findConfigFile, loadDeliveryConfigFile, parseConfigText } from '../../core/config/load.js';
import { resolveEnvironment } from '../../core/config/resolve.js';
import { parseDeliveryFile } from '../../core/config/validate.js';
import { canonicalJson, configVersion } from '../../core/config/version.js';

const fixture = (f: string) => `test/fixtures/config/${f}`;
const tmp = () => mkdtempSync(join(tmpdir(), 'lumina-config-'));

describe('loadDeliveryConfigFile', () => {
  it('loads the same config from YAML, JSON (keys in another order) and TypeScript, with one configVersion', async () => {
    const [yaml, json, ts] = await Promise.all(['delivery.yaml', 'delivery.json', 'delivery.config.ts'].map((f) => loadDeliveryConfigFile(fixture(f))));
    expect([yaml!.format, json!.format, ts!.format]).toEqual(['yaml', 'json', 'module']);
    expect(json!.config).toEqual(yaml!.config);
    expect(ts!.config).toEqual(yaml!.config);
    expect(new Set([yaml!.configVersion, json!.configVersion, ts!.configVersion]).size).toBe(1);
    expect(yaml!.configVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('keeps the environments in the order written', async () => {
    const { config } = await loadDeliveryConfigFile(fixture('delivery.yaml'));
    expect(Object.fromEntries(Object.values(config.services).map((s) => [s.name, s.environments.map((e) => e.name)]))).toEqual({
      api: ['dev', 'staging', 'production'],
      catalog: ['dev', 'staging', 'production'],
      payments: ['dev', 'staging', 'production'],
    });
  });

  it('accepts a module whose default export is a function returning the config', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'fn.config.mjs'), "export default async () => ({ services: { demo: { repository: 'demo', router: { kind: 'local' } } } });\n");
    const loaded = await loadDeliveryConfigFile(join(dir, 'fn.config.mjs'));
    expect(Object.keys(loaded.config.services)).toEqual(['demo']);
  });

  it.each<[string, string, string, RegExp]>([
    ['a missing file names the path', 'absent.yaml', '', /config file not found: .*absent\.yaml/],
    ['YAML syntax errors name the file and line', 'bad.yaml', 'services:\n  api:\n    repository: x\n   router: {\n', /bad\.yaml is not valid YAML: .*line 4/],
    ['JSON syntax errors name the file', 'bad.json', '{ "services": ', /bad\.json is not valid JSON/],
    ['an unsupported extension lists the supported ones', 'config.toml', 'x = 1', /unsupported config file type \.toml; use \.yaml, \.yml, \.json, \.ts or \.mjs/],
    ['a module without a default export', 'named.mjs', 'export const config = {};\n', /named\.mjs has no default export/],
  ])('%s', async (_name, file, content, message) => {
    const dir = tmp();
    if (content) writeFileSync(join(dir, file), content);
    const attempt = loadDeliveryConfigFile(join(dir, file));
    await expect(attempt).rejects.toBeInstanceOf(ConfigFileError);
    await expect(loadDeliveryConfigFile(join(dir, file))).rejects.toThrow(message);
  });

  it('rejects an invalid file with InvalidConfigError listing every issue', async () => {
    const error: unknown = await loadDeliveryConfigFile(fixture('invalid-delivery.yaml')).then(() => null, (e: unknown) => e);
    if (!(error instanceof InvalidConfigError)) throw new Error(`expected InvalidConfigError, got ${String(error)}`);
    expect(error.issues.map((i) => i.path)).toEqual(['services.api.environments.prod.notify[0].token', 'services.api.environments.prod.strategy.stages[2]', 'services.api.dependsOn']);
  });

  it('YAML merge keys (<<) share settings between environments', () => {
    const raw = parseConfigText(
      ['x-prod: &prod', '  approval: { required: true }', 'services:', '  api:', '    repository: shop/api', '    router: { kind: local }', '    environments:', '      - name: eu', '        <<: *prod', ''].join('\n'),
      'yaml',
    );
    expect(raw).toMatchObject({ services: { api: { environments: [{ name: 'eu', approval: { required: true } }] } } });
  });

  it('findConfigFile finds lumina.config.* in a directory, preferring YAML', () => {
    const dir = tmp();
    expect(findConfigFile(dir)).toBeNull();
    writeFileSync(join(dir, 'lumina.config.json'), '{}');
    writeFileSync(join(dir, 'lumina.config.yaml'), 'services: {}');
    expect(findConfigFile(dir)).toBe(join(dir, 'lumina.config.yaml'));
  });
});

describe('docs/delivery-config.md', () => {
  it('its example is a valid config with the levels and production settings it describes', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync('docs/delivery-config.md', 'utf8'))![1]!;
    const { config } = parseDeliveryFile(parseConfigText(yaml, 'yaml'));
    expect(deployLevels(config.services)).toEqual([['catalog', 'payments'], ['api']]);
    expect(resolveEnvironment(config, 'payments', 'production')).toMatchObject({ strategy: { kind: 'blueGreen' }, router: { kind: 'alb' }, approval: { required: true } });
  });
});

describe('configVersion', () => {
  const base = { services: { api: { repository: 'shop/api', router: { kind: 'local' }, team: 'web', environments: [{ name: 'dev' }, { name: 'prod', approval: {} }] } } };

  it('does not depend on key order', () => {
    const reordered = { services: { api: { environments: [{ name: 'dev' }, { approval: {}, name: 'prod' }], team: 'web', router: { kind: 'local' }, repository: 'shop/api' } } };
    expect(parseDeliveryFile(reordered).configVersion).toBe(parseDeliveryFile(base).configVersion);
  });

  it('does not change when a default is written out explicitly', () => {
    const explicit = { services: { api: { ...base.services.api, dependsOn: [], ignoreTags: [] } } };
    expect(parseDeliveryFile(explicit).configVersion).toBe(parseDeliveryFile(base).configVersion);
  });

  it('changes with any setting in force, and with the environment order', () => {
    const v = parseDeliveryFile(base).configVersion;
    const timeout = { services: { api: { ...base.services.api, environments: [{ name: 'dev' }, { name: 'prod', approval: { timeoutSeconds: 60 } }] } } };
    const swapped = { services: { api: { ...base.services.api, environments: [...base.services.api.environments].reverse() } } };
    expect(parseDeliveryFile(timeout).configVersion).not.toBe(v);
    expect(parseDeliveryFile(swapped).configVersion).not.toBe(v);
  });

  it('hashes canonical JSON: sorted keys, arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: 1, c: undefined, b: null }] })).toBe('{"a":[3,{"b":null,"d":1}],"b":1}');
    expect(configVersion({ a: 1, b: 2 })).toBe(configVersion({ b: 2, a: 1 }));
  });
});
