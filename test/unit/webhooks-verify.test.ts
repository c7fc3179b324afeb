import { createHmac } from 'node:crypto';
import { sign, verify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import {
  safeEqual,
  signGeneric,
  verifyCircleCI,
  verifyGeneric,
  verifyGitHub,
  verifyGitLab,
  verifyJenkins,
  verifyWebhook,
} from '../../core/webhooks/verify.js';

const BODY = '{"hello":"world","n":1}';
const NEW = 'new-secret';
const OLD = 'old-secret';
const hex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
const NOW = new Date('2026-03-01T12:00:00Z');
const T = NOW.getTime() / 1000;

describe('constant-time comparison', () => {
  it('compares values of different lengths without throwing', () => {
    expect(safeEqual('a', 'a much longer value')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(Buffer.from('same'), 'same')).toBe(true);
  });
});

describe('GitHub X-Hub-Signature-256', () => {
  it('accepts a signature made by @octokit/webhooks-methods', async () => {
    expect(verifyGitHub(BODY, await sign(NEW, BODY), [NEW])).toMatchObject({ status: 'ok', secretIndex: 0 });
  });

  it('verifies over the raw bytes, whether given as a string or a Buffer', async () => {
    const body = '{"name":"café ☕"}';
    expect(verifyGitHub(Buffer.from(body, 'utf8'), await sign(NEW, body), [NEW]).status).toBe('ok');
  });

  it('agrees with @octokit/webhooks-methods verify on the same header', async () => {
    const header = `sha256=${hex(NEW, BODY)}`;
    expect(await verify(NEW, BODY, header)).toBe(true);
    expect(verifyGitHub(BODY, header, [NEW]).status).toBe('ok');
  });

  it('accepts an upper-case hex digest', async () => {
    const header = `sha256=${hex(NEW, BODY).toUpperCase()}`;
    expect(verifyGitHub(BODY, header, [NEW]).status).toBe('ok');
  });

  it('reports a missing header as missing', () => {
    expect(verifyGitHub(BODY, undefined, [NEW])).toEqual({ status: 'missing', header: 'x-hub-signature-256' });
    expect(verifyGitHub(BODY, '', [NEW]).status).toBe('missing');
  });

  it('rejects a signature made with another secret', async () => {
    expect(verifyGitHub(BODY, await sign('attacker', BODY), [NEW])).toMatchObject({ status: 'invalid', reason: 'mismatch' });
  });

  it('rejects a correct signature over a different body', async () => {
    expect(verifyGitHub(`${BODY} `, await sign(NEW, BODY), [NEW]).status).toBe('invalid');
  });

  it.each([
    ['the sha1 scheme', `sha1=${'a'.repeat(40)}`],
    ['a truncated digest', `sha256=${'a'.repeat(63)}`],
    ['no scheme prefix', 'a'.repeat(64)],
    ['non-hex digits', `sha256=${'z'.repeat(64)}`],
  ])('rejects %s as malformed', (_case, header) => {
    expect(verifyGitHub(BODY, header, [NEW])).toMatchObject({ status: 'invalid', reason: 'malformed' });
  });

  it('accepts the second secret during rotation and says which one matched', async () => {
    expect(verifyGitHub(BODY, await sign(OLD, BODY), [NEW, OLD])).toMatchObject({ status: 'ok', secretIndex: 1 });
  });

  it('fails closed when no usable secret is configured', async () => {
    // An empty key would let anyone compute the HMAC, so '' is never a usable secret.
    expect(verifyGitHub(BODY, `sha256=${hex('', BODY)}`, [''])).toMatchObject({ status: 'invalid', reason: 'no_secret' });
    expect(verifyGitHub(BODY, await sign(NEW, BODY), [])).toMatchObject({ status: 'invalid', reason: 'no_secret' });
  });
});

describe('shared tokens (GitLab X-Gitlab-Token, Jenkins X-Lumina-Token)', () => {
  it('accepts the configured token and a rotated one', () => {
    expect(verifyGitLab(NEW, [NEW]).status).toBe('ok');
    expect(verifyJenkins(OLD, [NEW, OLD])).toMatchObject({ status: 'ok', secretIndex: 1 });
  });

  it('rejects a wrong token, a prefix of the token and a longer token', () => {
    expect(verifyGitLab('wrong', [NEW]).status).toBe('invalid');
    expect(verifyGitLab(NEW.slice(0, 3), [NEW]).status).toBe('invalid');
    expect(verifyJenkins(`${NEW}x`, [NEW]).status).toBe('invalid');
  });

  it('reports missing tokens under the provider header name', () => {
    expect(verifyGitLab(undefined, [NEW])).toEqual({ status: 'missing', header: 'x-gitlab-token' });
    expect(verifyJenkins(undefined, [NEW])).toEqual({ status: 'missing', header: 'x-lumina-token' });
  });
});

describe('CircleCI circleci-signature', () => {
  it('accepts v1=<hex HMAC of the body>', () => {
    expect(verifyCircleCI(BODY, `v1=${hex(NEW, BODY)}`, [NEW]).status).toBe('ok');
  });

  it('accepts a match among several comma-separated entries, ignoring unknown versions', () => {
    const header = `v0=abc, v1=${hex('other', BODY)}, v1=${hex(NEW, BODY)}`;
    expect(verifyCircleCI(BODY, header, [NEW]).status).toBe('ok');
  });

  it('accepts the second secret during rotation', () => {
    expect(verifyCircleCI(BODY, `v1=${hex(OLD, BODY)}`, [NEW, OLD])).toMatchObject({ status: 'ok', secretIndex: 1 });
  });

  it('rejects a header without any v1 entry or with a malformed one', () => {
    expect(verifyCircleCI(BODY, `v2=${hex(NEW, BODY)}`, [NEW])).toMatchObject({ reason: 'malformed' });
    expect(verifyCircleCI(BODY, 'v1', [NEW])).toMatchObject({ reason: 'malformed' });
    expect(verifyCircleCI(BODY, 'v1=xyz', [NEW])).toMatchObject({ reason: 'malformed' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyCircleCI(BODY, `v1=${hex('other', BODY)}`, [NEW])).toMatchObject({ status: 'invalid', reason: 'mismatch' });
  });
});

describe('generic X-Lumina-Signature with a replay window', () => {
  it('signs t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">', () => {
    expect(signGeneric(BODY, NEW, T)).toBe(`t=${T},v1=${hex(NEW, `${T}.${BODY}`)}`);
  });

  it('accepts a fresh signature', () => {
    expect(verifyGeneric(BODY, signGeneric(BODY, NEW, T - 10), [NEW], { now: NOW }).status).toBe('ok');
  });

  it('accepts exactly the window edge and calls one second past it stale, in both directions', () => {
    expect(verifyGeneric(BODY, signGeneric(BODY, NEW, T - 300), [NEW], { now: NOW }).status).toBe('ok');
    expect(verifyGeneric(BODY, signGeneric(BODY, NEW, T - 301), [NEW], { now: NOW })).toEqual({
      status: 'stale',
      header: 'x-lumina-signature',
      ageSeconds: 301,
      windowSeconds: 300,
    });
    expect(verifyGeneric(BODY, signGeneric(BODY, NEW, T + 301), [NEW], { now: NOW })).toMatchObject({
      status: 'stale',
      ageSeconds: -301,
    });
  });

  it('honours a configured window', () => {
    expect(verifyGeneric(BODY, signGeneric(BODY, NEW, T - 30), [NEW], { now: NOW, windowSeconds: 20 }).status).toBe('stale');
  });

  it('rejects a re-stamped timestamp because t is covered by the signature', () => {
    const old = signGeneric(BODY, NEW, T - 3600);
    const restamped = old.replace(/^t=\d+/, `t=${T}`);
    expect(verifyGeneric(BODY, restamped, [NEW], { now: NOW })).toMatchObject({ status: 'invalid', reason: 'mismatch' });
  });

  it('does not report stale for a forged signature', () => {
    expect(verifyGeneric(BODY, signGeneric(BODY, 'attacker', T - 3600), [NEW], { now: NOW }).status).toBe('invalid');
  });

  it('accepts the second secret during rotation', () => {
    expect(verifyGeneric(BODY, signGeneric(BODY, OLD, T), [NEW, OLD], { now: NOW })).toMatchObject({ secretIndex: 1 });
  });

  it.each([
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['two timestamps', `t=1,t=2,v1=${'a'.repeat(64)}`],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
    ['no signature', `t=${T}`],
    ['no key=value pairs', 'garbage'],
  ])('rejects a header with %s as malformed', (_case, header) => {
    expect(verifyGeneric(BODY, header, [NEW], { now: NOW })).toMatchObject({ status: 'invalid', reason: 'malformed' });
  });
});

describe('verifyWebhook picks the header of each provider from lower-cased headers', () => {
  it('routes every provider to its own header', async () => {
    const headers = new Map([
      ['x-hub-signature-256', await sign(NEW, BODY)],
      ['x-gitlab-token', NEW],
      ['x-lumina-token', NEW],
      ['circleci-signature', `v1=${hex(NEW, BODY)}`],
      ['x-lumina-signature', signGeneric(BODY, NEW, T)],
    ]);
    for (const provider of ['github', 'gitlab', 'jenkins', 'circleci', 'generic'] as const) {
      expect(verifyWebhook(provider, BODY, headers, [NEW], { now: NOW }).status, provider).toBe('ok');
      expect(verifyWebhook(provider, BODY, new Map(), [NEW], { now: NOW }).status, provider).toBe('missing');
    }
  });
});
