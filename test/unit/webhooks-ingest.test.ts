import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, ingestWebhook, type IngestRequest } from '../../core/webhooks/ingest.js';
import { signGeneric } from '../../core/webhooks/verify.js';
import { NOW, OLD_SECRET, SECRET, fixture, genericRequest, githubExample, githubRequest, gitlabRequest } from '../fixtures/webhooks/requests.js';

const ping = () => githubRequest('ping', githubExample('ping'));
const withHeaders = (req: IngestRequest, headers: Record<string, string | undefined>): IngestRequest => ({
  ...req,
  headers: { ...req.headers, ...headers },
});

describe('ingestWebhook: size limit', () => {
  it('documents a 1 MiB default limit', () => {
    expect(MAX_BODY_BYTES).toBe(1_048_576);
  });

  it('accepts a body of exactly the limit and answers 413 one byte over, before checking anything else', async () => {
    const req = await ping();
    const limit = Buffer.byteLength(req.rawBody);
    expect(ingestWebhook({ ...req, options: { maxBodyBytes: limit } }).status).toBe(200);
    const over = ingestWebhook({ ...req, headers: {}, options: { maxBodyBytes: limit - 1 } });
    expect(over).toEqual({
      status: 413,
      body: { error: { code: 'payload_too_large', message: `Body is ${limit} bytes; the limit is ${limit - 1} bytes` } },
    });
  });

  it('counts bytes, not characters', () => {
    const req = genericRequest({ type: 'ping', id: 'é'.repeat(600_000) });
    expect(ingestWebhook(req).status).toBe(413);
  });
});

describe('ingestWebhook: content type', () => {
  it.each([
    ['missing', undefined],
    ['text/plain', 'text/plain'],
    ['a non-UTF-8 charset', 'application/json; charset=iso-8859-1'],
    ['form encoding for a provider other than GitHub', 'application/x-www-form-urlencoded'],
  ])('answers 415 when the content type is %s', (_case, contentType) => {
    const req = gitlabRequest('Push Hook', fixture('gitlab/push-hook.json'));
    const r = ingestWebhook(withHeaders(req, { 'content-type': contentType }));
    expect(r).toEqual({ status: 415, body: { error: { code: 'unsupported_media_type', message: 'Content-Type must be application/json (UTF-8)' } } });
  });

  it('accepts JSON with a UTF-8 charset and +json media types', () => {
    const req = gitlabRequest('Push Hook', fixture('gitlab/push-hook.json'));
    expect(ingestWebhook(withHeaders(req, { 'content-type': 'Application/JSON; charset="UTF-8"' })).status).toBe(202);
    expect(ingestWebhook(withHeaders(req, { 'content-type': 'application/vnd.acme+json' })).status).toBe(202);
  });

  it('accepts GitHub form-encoded deliveries, verifying the signature over the form body', async () => {
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(githubExample('ping')))}`;
    const req = await githubRequest('ping', rawBody);
    const r = ingestWebhook(withHeaders(req, { 'Content-Type': 'application/x-www-form-urlencoded' }));
    expect(r).toMatchObject({ status: 200, body: { pong: true } });
  });

  it('answers 400 for a form body without a payload field', async () => {
    const req = await githubRequest('ping', 'other=1');
    const r = ingestWebhook(withHeaders(req, { 'Content-Type': 'application/x-www-form-urlencoded' }));
    expect(r.body).toMatchObject({ error: { code: 'malformed_body' } });
  });
});

describe('ingestWebhook: signatures are checked before the body is parsed', () => {
  it('answers 401 signature_missing without the header', async () => {
    const r = ingestWebhook(withHeaders(await ping(), { 'X-Hub-Signature-256': undefined }));
    expect(r).toEqual({
      status: 401,
      body: { error: { code: 'signature_missing', message: 'Signature header x-hub-signature-256 is missing', details: { header: 'x-hub-signature-256' } } },
    });
  });

  it('answers 401 signature_invalid for a wrong secret', async () => {
    const req = await githubRequest('ping', githubExample('ping'), { secret: 'wrong' });
    expect(ingestWebhook(req)).toMatchObject({ status: 401, body: { error: { code: 'signature_invalid' } } });
  });

  it('answers 401, not 400, for malformed JSON with a bad signature', () => {
    const r = ingestWebhook({ ...gitlabRequest('Push Hook', '{not json'), headers: { 'content-type': 'application/json', 'x-gitlab-token': 'nope' } });
    expect(r.status).toBe(401);
  });

  it('answers 401 signature_stale for a replayed generic delivery', () => {
    const req = genericRequest(fixture('generic/ping.json'), { at: NOW.getTime() / 1000 - 301 });
    expect(ingestWebhook(req)).toMatchObject({ status: 401, body: { error: { code: 'signature_stale' } } });
  });

  it('honours a configured replay window', () => {
    const req = genericRequest(fixture('generic/ping.json'), { at: NOW.getTime() / 1000 - 500 });
    expect(ingestWebhook({ ...req, options: { replayWindowSeconds: 600 } }).status).toBe(200);
  });

  it('accepts the second secret during rotation', async () => {
    const req = await githubRequest('ping', githubExample('ping'), { secret: OLD_SECRET });
    expect(ingestWebhook({ ...req, secrets: [SECRET, OLD_SECRET] }).status).toBe(200);
    expect(ingestWebhook({ ...req, secrets: [SECRET] }).status).toBe(401);
  });

  it('reads headers case-insensitively', async () => {
    const req = await ping();
    const upper = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(ingestWebhook({ ...req, headers: upper }).status).toBe(200);
  });

  it('never echoes secrets, signatures or stack traces in error bodies', async () => {
    const good = await sign(SECRET, '{"zen":1}');
    const bodies = [
      ingestWebhook({ ...(await githubRequest('ping', '{"zen":1}', { secret: 'wrong' })) }),
      ingestWebhook(withHeaders(await githubRequest('push', '{"zen":1}'), { 'X-Hub-Signature-256': good })),
      ingestWebhook(await githubRequest('push', '{"zen":')),
      ingestWebhook(genericRequest('{}', { at: 0 })),
    ].map((r) => JSON.stringify(r.body));
    for (const b of bodies) {
      expect(b).not.toContain(SECRET);
      expect(b).not.toContain(good.slice('sha256='.length));
      expect(b).not.toMatch(/\n\s+at |Error:/);
    }
  });
});

describe('ingestWebhook: parsing and outcomes', () => {
  it('answers 400 malformed_json for a signed body that is not JSON', async () => {
    expect(ingestWebhook(await githubRequest('push', '{"ref":'))).toEqual({
      status: 400,
      body: { error: { code: 'malformed_json', message: 'Body is not valid JSON' } },
    });
  });

  it('answers 400 malformed_body for bytes that are not UTF-8', () => {
    const rawBody = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const headers = { 'content-type': 'application/json', 'x-lumina-signature': signGeneric(rawBody, SECRET, NOW.getTime() / 1000) };
    const r = ingestWebhook({ provider: 'generic', headers, rawBody, secrets: [SECRET], now: NOW });
    expect(r.body).toMatchObject({ error: { code: 'malformed_body' } });
  });

  it('answers 400 schema_violation with the path and JSON pointer of the first error', async () => {
    const payload = githubExample('push', (p) => p.ref === 'refs/heads/master');
    payload.commits[0].id = 42;
    const r = ingestWebhook(await githubRequest('push', payload));
    expect(r).toMatchObject({
      status: 400,
      body: { error: { code: 'schema_violation', details: { path: 'commits[0].id', pointer: '/commits/0/id' } } },
    });
  });

  it('answers 400 missing_header without X-GitHub-Delivery', async () => {
    const r = ingestWebhook(withHeaders(await ping(), { 'X-GitHub-Delivery': undefined }));
    expect(r.body).toEqual({ error: { code: 'missing_header', message: 'Required header X-GitHub-Delivery is missing' } });
  });

  it('answers 202 ignored with a reason for an event it does not ingest', async () => {
    const r = ingestWebhook(await githubRequest('watch', { action: 'started' }));
    expect(r).toEqual({
      status: 202,
      body: { ignored: true, reason: 'GitHub event "watch" is not ingested' },
      dedupeKey: 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
  });

  it('answers 202 with the normalized events in the body and the result', async () => {
    const r = ingestWebhook(await githubRequest('push', githubExample('push', (p) => p.ref === 'refs/heads/master')));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: true, events: [{ detailType: 'Change Pushed' }] });
    expect(r.events?.map((e) => e.definition.detailType)).toEqual(['Change Pushed']);
  });

  it('answers 400 for an unknown provider instead of throwing', () => {
    const req = { ...genericRequest(fixture('generic/ping.json')), provider: 'bitbucket' } as unknown as IngestRequest;
    expect(ingestWebhook(req).body).toMatchObject({ error: { code: 'unknown_provider' } });
  });

  it('accepts a string and a Buffer body alike', () => {
    const req = genericRequest(fixture('generic/ping.json'));
    expect(ingestWebhook({ ...req, rawBody: Buffer.from(req.rawBody) }).status).toBe(200);
  });
});
