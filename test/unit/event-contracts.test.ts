import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelope } from '../../events/define.js';
import { deliveryEvents } from '../../events/delivery.js';
import { EcrImageActionEvent } from '../../events/ecr-image-action.js';
import { deliveryLifecyclePattern, ecrPushPattern } from '../../events/rules.js';
import { matches } from '../../core/events/pattern.js';

const dir = (sub: string) => new URL(`../fixtures/events/${sub}/`, import.meta.url);
const load = (sub: string) =>
  readdirSync(dir(sub))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, event: JSON.parse(readFileSync(new URL(f, dir(sub)), 'utf8')) as Record<string, unknown> }));

describe('event contracts: every versioned fixture still parses with its schema', () => {
  it.each(load('aws.ecr'))('ECR fixture $file parses as an ECR Image Action event', ({ event }) => {
    expect(EcrImageActionEvent.safeParse(event).success).toBe(true);
  });

  it('the ECR push rule matches push fixtures and not the delete fixture', () => {
    const byFile = Object.fromEntries(load('aws.ecr').map(({ file, event }) => [file, matches(ecrPushPattern, event)]));
    expect(byFile).toEqual({
      'ecr-image-action.delete.v0.json': false,
      'ecr-image-action.push-untagged-with-media-types.v0.json': true,
      'ecr-image-action.push.v0.json': true,
    });
  });

  const delivery = load('lumina.delivery');
  it('there is a fixture for each of our delivery events', () => {
    expect(new Set(delivery.map((d) => d.event['detail-type']))).toEqual(new Set(deliveryEvents.map((d) => d.detailType)));
  });

  it.each(delivery)('delivery fixture $file parses with its definition and matches the lifecycle rule', ({ event }) => {
    const def = deliveryEvents.find((d) => d.detailType === event['detail-type'])!;
    expect(def).toBeDefined();
    expect(envelope(def.schema).safeParse(event).success).toBe(true);
    expect(event.source).toBe(def.source);
    expect(matches(deliveryLifecyclePattern, event)).toBe(true);
  });

  it('rejects a detail that lost a required field (schemas are not loose)', () => {
    const started = delivery.find((d) => d.file.startsWith('rollout-started'))!.event;
    const { rolloutId: _dropped, ...detail } = started.detail as Record<string, unknown>;
    const def = deliveryEvents.find((d) => d.detailType === 'Rollout Started')!;
    const r = def.schema.safeParse(detail);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['rolloutId']);
  });
});
