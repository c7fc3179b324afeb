import { describe, expect, it } from 'vitest';
import { updatesFor } from '../../core/dora/entities.js';
import { InvalidDoraRecordError, parseDoraRecord } from '../../core/dora/records.js';

describe('DORA input records', () => {
  it('parses each kind, defaulting a deployment without commits to an empty list', () => {
    const d = parseDoraRecord({ kind: 'deployment', service: 'api', environment: 'production', deploymentId: 'd1', status: 'success', finishedAt: '2025-03-03T10:00:00+02:00' });
    expect(d).toMatchObject({ kind: 'deployment', commitShas: [] });
    expect(parseDoraRecord({ kind: 'change', service: 'api', commitSha: 'abc', committedAt: '2025-03-03T08:00:00Z' }).kind).toBe('change');
    expect(parseDoraRecord({ kind: 'incident', incidentId: 'i', service: 'api', environment: 'production', openedAt: '2025-03-03T08:00:00Z' }).kind).toBe('incident');
  });

  it('refuses a bad record with a named error naming every bad field, not echoing the values', () => {
    const bad = { kind: 'deployment', service: 'api', environment: 'production', deploymentId: 'd1', status: 'SECRET-ok', finishedAt: 'yesterday' };
    let err: unknown;
    try {
      parseDoraRecord(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidDoraRecordError);
    expect((err as Error).name).toBe('InvalidDoraRecordError');
    expect((err as Error).message).toMatch(/status:.*finishedAt:/);
    expect((err as Error).message).not.toContain('SECRET');
    expect(() => parseDoraRecord({ kind: 'rollout' })).toThrow(InvalidDoraRecordError);
  });

  it('a deployment touches its own entity and one commit entity per distinct sha; an incident also the deployment it names', () => {
    const d = parseDoraRecord({ kind: 'deployment', service: 'api', environment: 'production', deploymentId: 'd1', status: 'success', finishedAt: '2025-03-03T10:00:00Z', commitShas: ['a', 'b', 'a'] });
    expect(updatesFor(d).map((u) => [u.ref.kind, u.ref.id])).toEqual([['deployment', 'd1'], ['commit', 'a'], ['commit', 'b']]);
    const i = parseDoraRecord({ kind: 'incident', incidentId: 'i', service: 'api', environment: 'production', openedAt: '2025-03-03T08:00:00Z', causedByDeploymentId: 'd1' });
    expect(updatesFor(i).map((u) => [u.ref.kind, u.ref.id])).toEqual([['incident', 'i'], ['deployment', 'd1']]);
  });
});
