import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionName, SfnExecutionStarter } from '../../adapters/aws/sfn-starter.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:lumina-canary';
let sfn: AwsClientStub<SFNClient>;
let starter: SfnExecutionStarter;
beforeEach(() => {
  const client = new SFNClient({ region: 'us-east-1' });
  sfn = mockClient(client);
  starter = new SfnExecutionStarter(client, MACHINE);
});

describe('executionName', () => {
  it('keeps a valid name as is', () => {
    expect(executionName('demo-20261122T100000-1a2b3c4d')).toBe('demo-20261122T100000-1a2b3c4d');
    expect(executionName('x'.repeat(80))).toBe('x'.repeat(80));
  });

  it('cuts a long name to 80 characters with a hash of the full name: deterministic and distinct', () => {
    const long = `${'a'.repeat(63)}-20261122T100000-1a2b3c4d`;
    const name = executionName(long);
    expect(name).toHaveLength(80);
    expect(name).toMatch(/^a{63}-2026112-[0-9a-f]{8}$/);
    expect(executionName(long)).toBe(name);
    expect(executionName(`${long.slice(0, -1)}e`)).not.toBe(name);
  });

  it('replaces characters Step Functions refuses', () => {
    expect(executionName('demo service:v2/1')).toMatch(/^demo-service-v2-1-[0-9a-f]{8}$/);
    expect(executionName('demo service:v2/1')).not.toBe(executionName('demo-service-v2-1'));
    expect(executionName('***')).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('SfnExecutionStarter', () => {
  it('starts the state machine by name with the JSON input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:demo-1`, startDate: new Date() });
    expect(await starter.start('demo-1', { rolloutId: 'demo-1' })).toEqual({ alreadyStarted: false });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([{ stateMachineArn: MACHINE, name: 'demo-1', input: '{"rolloutId":"demo-1"}' }]);
  });

  it('sends the sanitized name', async () => {
    sfn.on(StartExecutionCommand).resolves({});
    await starter.start('demo 1', { rolloutId: 'demo 1' });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.name).toBe(executionName('demo 1'));
  });

  it('an execution that already exists is reported, not thrown', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    expect(await starter.start('demo-1', { rolloutId: 'demo-1' })).toEqual({ alreadyStarted: true });
  });

  it('other errors propagate', async () => {
    sfn.on(StartExecutionCommand).rejects(new StateMachineDoesNotExist({ message: 'gone', $metadata: {} }));
    await expect(starter.start('demo-1', { rolloutId: 'demo-1' })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
