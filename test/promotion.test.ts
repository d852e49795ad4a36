import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { deployCommand, familyContext, promote, PromotionSettings } from '../lib/model-deploy/promotion';

const CHAMPION = '/pds-dev/serving/champion-model-package-arn';
const CHALLENGER = '/pds-dev/serving/challenger-model-package-arn';
const arn = (version: number) => `arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/${version}`;

const settings = (promotion: PromotionSettings['promotion']): PromotionSettings => ({ championParameter: CHAMPION, challengerParameter: CHALLENGER, promotion });

const ssmMock = mockClient(SSMClient);

/** Parameters in the mocked SSM; a missing one answers ParameterNotFound, as SSM does. */
function givenParameters(values: Record<string, string>): void {
  ssmMock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    if (!(input.Name in values)) throw new ParameterNotFound({ message: `${input.Name} not found`, $metadata: {} });
    return { Parameter: { Name: input.Name, Value: values[input.Name] } };
  });
  ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
}

/** The writes, in order, as [name, value]. */
function writes(): [string | undefined, string | undefined][] {
  return ssmMock.commandCalls(PutParameterCommand).map((call) => [call.args[0].input.Name, call.args[0].input.Value]);
}

beforeEach(() => ssmMock.reset());

describe('promote with replace', () => {
  test('the first approval writes the champion parameter', async () => {
    givenParameters({});
    await expect(promote(new SSMClient({}), settings('replace'), arn(1))).resolves.toEqual({ champion: arn(1) });
    expect(writes()).toEqual([[CHAMPION, arn(1)]]);
    expect(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input).toMatchObject({ Type: 'String', Overwrite: true });
  });

  test('a later approval replaces the champion and leaves the challenger parameter alone', async () => {
    givenParameters({ [CHAMPION]: arn(1), [CHALLENGER]: arn(0) });
    await expect(promote(new SSMClient({}), settings('replace'), arn(2))).resolves.toEqual({ champion: arn(2) });
    expect(writes()).toEqual([[CHAMPION, arn(2)]]);
  });

  test('the same package approved again writes nothing', async () => {
    givenParameters({ [CHAMPION]: arn(2) });
    await expect(promote(new SSMClient({}), settings('replace'), arn(2))).resolves.toEqual({ champion: arn(2) });
    expect(writes()).toEqual([]);
  });
});

describe('promote with challenger', () => {
  test('the first approval serves the new package as both champion and challenger', async () => {
    givenParameters({});
    await expect(promote(new SSMClient({}), settings('challenger'), arn(1))).resolves.toEqual({ champion: arn(1), challenger: arn(1) });
    expect(writes()).toEqual([
      [CHALLENGER, arn(1)],
      [CHAMPION, arn(1)],
    ]);
  });

  test('a later approval moves the old champion to challenger, then writes the champion', async () => {
    givenParameters({ [CHAMPION]: arn(1), [CHALLENGER]: arn(1) });
    await expect(promote(new SSMClient({}), settings('challenger'), arn(2))).resolves.toEqual({ champion: arn(2), challenger: arn(1) });
    // The challenger first: a failure between the writes never loses the old champion.
    expect(writes()).toEqual([
      [CHALLENGER, arn(1)],
      [CHAMPION, arn(2)],
    ]);
  });

  test('the same package approved again writes nothing and keeps the pair', async () => {
    givenParameters({ [CHAMPION]: arn(2), [CHALLENGER]: arn(1) });
    await expect(promote(new SSMClient({}), settings('challenger'), arn(2))).resolves.toEqual({ champion: arn(2), challenger: arn(1) });
    expect(writes()).toEqual([]);
  });
});

describe('promote refuses and propagates', () => {
  test.each(['arn:aws:sagemaker:us-east-1:111122223333:model-package-group/pds-dev-bert-sentiment', 'pds-dev-bert-sentiment/3', ''])(
    "a bad ARN '%s' throws before any call",
    async (bad) => {
      givenParameters({});
      await expect(promote(new SSMClient({}), settings('challenger'), bad)).rejects.toThrow(`promote: '${bad}' is not a versioned model package ARN`);
      expect(ssmMock.calls()).toHaveLength(0);
    },
  );

  test('an SSM error other than ParameterNotFound propagates and nothing is written', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform ssm:GetParameter'), { name: 'AccessDeniedException' });
    ssmMock.on(GetParameterCommand).rejects(denied);
    await expect(promote(new SSMClient({}), settings('replace'), arn(1))).rejects.toThrow('not authorized');
    expect(writes()).toEqual([]);
  });

  test('a failed write propagates', async () => {
    givenParameters({});
    ssmMock.on(PutParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(promote(new SSMClient({}), settings('replace'), arn(1))).rejects.toThrow('Rate exceeded');
  });
});

describe('deployCommand', () => {
  test('deploys only the serving stack, without prompts, with the context values', () => {
    expect(deployCommand('pds-dev-serving', { stage: 'dev', serving: 'true', servingVariants: '{"VariantB":{"weight":0}}' })).toEqual([
      'cdk',
      'deploy',
      'pds-dev-serving',
      '--exclusively',
      '--require-approval',
      'never',
      '--progress',
      'events',
      '--context',
      'stage=dev',
      '--context',
      'serving=true',
      '--context',
      'servingVariants={"VariantB":{"weight":0}}',
    ]);
  });

  test('no context gives no --context', () => {
    const command = deployCommand('pds-prod-serving', {});
    expect(command.slice(0, 6)).toEqual(['cdk', 'deploy', 'pds-prod-serving', '--exclusively', '--require-approval', 'never']);
    expect(command).not.toContain('--context');
  });
});

describe('familyContext', () => {
  test('the first family (BERT) deploys with the baked context as it is', () => {
    expect(familyContext({ stage: 'dev', serving: 'true' })).toEqual({ stage: 'dev', serving: 'true' });
  });

  test('another family is added to servingFamilies, once', () => {
    expect(familyContext({ stage: 'dev', serving: 'true' }, 'fixture')).toEqual({ stage: 'dev', serving: 'true', servingFamilies: 'fixture' });
    expect(familyContext({ servingFamilies: 'a,fixture' }, 'fixture')).toEqual({ servingFamilies: 'a,fixture' });
    expect(familyContext({ servingFamilies: 'a' }, 'b')).toEqual({ servingFamilies: 'a,b' });
  });
});
