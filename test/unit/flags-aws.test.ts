import { AppConfigClient, CreateHostedConfigurationVersionCommand, StartDeploymentCommand } from '@aws-sdk/client-appconfig';
import { AppConfigDataClient, GetLatestConfigurationCommand, StartConfigurationSessionCommand } from '@aws-sdk/client-appconfigdata';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { Uint8ArrayBlobAdapter } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigFlagSource, FlagsUnavailableError } from '../../adapters/aws/appconfig-flags.js';
import { publishToAppConfig } from '../../cli/flags.js';

const doc = (defaultVariant: string) => ({ flags: { banner: { state: 'ENABLED', variants: { red: '#c00', blue: '#00c' }, defaultVariant } } });
// AppConfigData returns a blob adapter; the SDK's own type for it is a Uint8Array with helpers.
const bytes = (v: unknown) => Uint8ArrayBlobAdapter.fromString(typeof v === 'string' ? v : JSON.stringify(v));

describe('AppConfigFlagSource through Powertools AppConfigProvider (SDK mocked at the client boundary)', () => {
  const data = mockClient(AppConfigDataClient);
  beforeEach(() => data.reset());

  const source = (maxAge = 0) =>
    new AppConfigFlagSource(new AppConfigProvider({ application: 'app', environment: 'prod', awsSdkV3Client: new AppConfigDataClient({ region: 'us-east-1' }) }), 'flags', maxAge);

  it('opens a session, loads and compiles the flags, and rotates the poll token', async () => {
    data.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 't0' });
    data.on(GetLatestConfigurationCommand, { ConfigurationToken: 't0' }).resolves({ Configuration: bytes(doc('red')), NextPollConfigurationToken: 't1' });
    data.on(GetLatestConfigurationCommand, { ConfigurationToken: 't1' }).resolves({ Configuration: bytes(''), NextPollConfigurationToken: 't2' });
    const s = source();
    const first = await s.current();
    expect(first.set.flags.get('banner')!.evaluate({}, 0).value).toBe('#c00');
    const second = await s.current(); // AppConfigData answers an empty body when nothing changed
    expect(second.version).toBe(first.version);
    expect(data.commandCalls(StartConfigurationSessionCommand)[0]!.args[0].input).toMatchObject({ ApplicationIdentifier: 'app', EnvironmentIdentifier: 'prod', ConfigurationProfileIdentifier: 'flags' });
    expect(data.commandCalls(GetLatestConfigurationCommand).map((c) => c.args[0].input.ConfigurationToken)).toEqual(['t0', 't1']);
  });

  it('keeps serving the last good flags when a poll fails or brings an invalid document', async () => {
    data.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 't0' });
    data
      .on(GetLatestConfigurationCommand)
      .resolvesOnce({ Configuration: bytes(doc('red')), NextPollConfigurationToken: 't1' })
      .rejectsOnce(new Error('throttled'))
      .resolvesOnce({ Configuration: bytes(doc('green')), NextPollConfigurationToken: 't2' });
    const s = source();
    const good = await s.current();
    expect((await s.current()).version).toBe(good.version);
    expect(s.lastError).toContain('throttled');
    expect((await s.current()).version).toBe(good.version);
    expect(s.lastError).toContain('flags.banner.defaultVariant');
  });

  it('fails a cold start with FlagsUnavailableError when nothing could ever be loaded', async () => {
    data.on(StartConfigurationSessionCommand).rejects(new Error('AccessDenied'));
    await expect(source().current()).rejects.toThrow(FlagsUnavailableError);
  });
});

describe('lumina flags publish --aws', () => {
  it('creates a hosted configuration version with the document, then deploys that version with the strategy', async () => {
    const appconfig = mockClient(AppConfigClient);
    appconfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 7 });
    appconfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 3, State: 'DEPLOYING' });
    const out = await publishToAppConfig(new AppConfigClient({ region: 'us-east-1' }), doc('red'), 'abc', { application: 'a1', environment: 'e1', profile: 'p1', strategy: 's1' });
    expect(out).toEqual({ version: 7, deployment: { number: 3, state: 'DEPLOYING' } });
    const created = appconfig.commandCalls(CreateHostedConfigurationVersionCommand)[0]!.args[0].input;
    expect(created).toMatchObject({ ApplicationId: 'a1', ConfigurationProfileId: 'p1', ContentType: 'application/json' });
    expect(JSON.parse(new TextDecoder().decode(created.Content as Uint8Array))).toEqual(doc('red'));
    expect(appconfig.commandCalls(StartDeploymentCommand)[0]!.args[0].input).toMatchObject({ ApplicationId: 'a1', EnvironmentId: 'e1', ConfigurationProfileId: 'p1', ConfigurationVersion: '7', DeploymentStrategyId: 's1' });
  });
});
