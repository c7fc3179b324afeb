import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the real CLI as a user would (`node --import tsx cli/main.ts …`); exit code and output. */
function lumina(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env: { ...process.env, LUMINA_CONFIG: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr });
    });
  });
}
const fixture = (f: string) => `test/fixtures/config/${f}`;

describe('lumina config validate', { timeout: 60_000 }, () => {
  it('exits 0 with a one-line summary for a valid config', async () => {
    const r = await lumina('config', 'validate', fixture('delivery.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^test\/fixtures\/config\/delivery\.yaml: valid, 3 services, 9 environments, configVersion [0-9a-f]{12}$/);
  });

  it('loads a TypeScript config', async () => {
    const r = await lumina('config', 'validate', fixture('delivery.config.ts'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, format: 'module', services: 3, levels: [['catalog', 'payments'], ['api']] });
  });

  it('exits 1 listing every issue as path: message', async () => {
    const r = await lumina('config', 'validate', fixture('invalid-delivery.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid delivery config (3 issues)');
    expect(r.stderr).toContain('services.api.environments.prod.strategy.stages[2]: must be > 25');
    expect(r.stderr).toContain('services.api.environments.prod.notify[0].token: looks like an inline secret');
    expect(r.stderr).toContain('services.api.dependsOn: dependency cycle: api → worker → api');
  });

  it('--json prints the issues for machines, still exiting 1', async () => {
    const r = await lumina('config', 'validate', fixture('cycle-delivery.yaml'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ valid: false, file: fixture('cycle-delivery.yaml'), issues: [{ path: 'services.a.dependsOn', message: 'dependency cycle: a → b → c → a' }] });
  });

  it('a missing file is a message naming the path, exit 1', async () => {
    const r = await lumina('config', 'validate', fixture('nope.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lumina: config file not found: .*test\/fixtures\/config\/nope\.yaml/);
  });

  it('a YAML syntax error names the file and line, exit 1', async () => {
    const r = await lumina('config', 'validate', fixture('broken-syntax.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken-syntax.yaml is not valid YAML');
    expect(r.stderr).toContain('line 4');
  });

  it('the original JSON configs still validate', async () => {
    expect((await lumina('config', 'validate', fixture('alb.config.json'))).code).toBe(0);
  });
});

describe('lumina graph', { timeout: 60_000 }, () => {
  it('prints rollout levels as text by default', async () => {
    const r = await lumina('graph', fixture('delivery.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('level 0: catalog, payments\nlevel 1: api (after catalog, payments)');
  });

  it('--format mermaid and --format dot', async () => {
    expect((await lumina('graph', fixture('delivery.yaml'), '--format', 'mermaid')).stdout).toContain('graph TD\n');
    expect((await lumina('config', 'graph', fixture('delivery.yaml'), '-f', 'dot')).stdout).toContain('"catalog" -> "api";');
  });

  it('--json gives levels and edges', async () => {
    const r = await lumina('graph', fixture('delivery.yaml'), '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ levels: [['catalog', 'payments'], ['api']], edges: [{ from: 'catalog', to: 'api' }, { from: 'payments', to: 'api' }] });
  });

  it('rejects an unknown format', async () => {
    const r = await lumina('graph', fixture('delivery.yaml'), '--format', 'svg');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('must be one of text, mermaid, dot');
  });
});

describe('lumina config resolve', { timeout: 60_000 }, () => {
  it("prints an environment's resolved settings as JSON", async () => {
    const r = await lumina('config', 'resolve', 'api', 'production', '-c', fixture('delivery.yaml'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ service: 'api', environment: 'production', strategy: { kind: 'blueGreen', manualSwitch: true }, approval: { required: true } });
  });

  it('an unknown environment lists the ones that exist, exit 1', async () => {
    const r = await lumina('config', 'resolve', 'api', 'prod', '-c', fixture('delivery.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service api has no environment prod; its environments: dev → staging → production');
  });
});
