import { ModelFamily } from '../lib/model-family';
import { bertSentimentFamily, PRETRAINED_MODEL_PREFIX } from '../pipeline-definitions/families/bert-sentiment/family';
import { contextArguments, deployedPlatform, lakeModels } from '../scripts/deployed/platform';
import { seedPlan } from '../scripts/seed_model/plan';

describe('what the commands on a deployed platform know of it', () => {
  test("seed-model's plan: each family's declared model once per lake prefix, where the pipeline reads it", () => {
    const plan = seedPlan(['-c', 'bertPipelineVariants={"dresses":{"inputPrefix":"raw/dresses/"}}', '--from', 'x']);
    expect(plan.lakeStack).toBe('pds-dev-data-lake');
    expect(plan.region).toBeUndefined();
    expect(plan.models).toEqual([
      {
        repository: 'FacebookAI/roberta-base',
        revision: expect.stringMatching(/^[0-9a-f]{40}$/),
        files: expect.arrayContaining(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'tokenizer.json']),
        lakePrefix: PRETRAINED_MODEL_PREFIX,
        families: ['bert-sentiment', 'bert-sentiment-dresses'],
      },
    ]);
    expect(seedPlan(['-c', 'stage=prod', '-c', 'region=eu-west-1'])).toMatchObject({ lakeStack: 'pds-prod-data-lake', region: 'eu-west-1' });
  });

  test('the names of the stacks and resources the app deploys for each family', () => {
    const platform = deployedPlatform({ namePrefix: 'acme' });
    expect([platform.dataLakeStack, platform.mlRegistryStack, platform.modelDeployStack]).toEqual(['acme-data-lake', 'acme-ml-registry', 'acme-model-deploy']);
    expect(platform.families[0]).toMatchObject({
      pipelineStacks: ['acme-bert-pipeline', 'acme-bert-tuning-pipeline'],
      modelPackageGroupName: 'acme-bert-sentiment',
      endpointName: 'acme-bert-sentiment',
      serving: { stackName: 'acme-serving' },
    });
  });

  test('bad input: a setting, a -c without key=value, a malformed or clashing declaration', () => {
    expect(() => deployedPlatform({ stage: 'banana' })).toThrow("Invalid context value 'stage': 'banana' is not allowed; expected one of dev, prod.");
    expect(() => contextArguments(['-c'], 'doctor')).toThrow('doctor: -c needs key=value');
    expect(() => contextArguments(['-c', 'stage'], 'doctor')).toThrow("doctor: -c needs key=value, not 'stage'");
    const bert = bertSentimentFamily();
    const declaring = (id: string, changes: object): ModelFamily => ({ ...bert, id, pretrainedModel: { ...bert.pretrainedModel!, ...changes } });
    expect(() => lakeModels([declaring('a', { revision: 'main' })])).toThrow(
      "Model family 'a': its pretrainedModel revision 'main' is not a commit (40 lowercase hexadecimal digits).",
    );
    expect(() => lakeModels([declaring('a', { lakePrefix: 'pipelines/x/' })])).toThrow("lakePrefix 'pipelines/x/' is not a folder under models/ ending with /");
    expect(() => lakeModels([declaring('a', { files: ['../x'] })])).toThrow("file '../x' is not a path inside the repository");
    expect(() => lakeModels([bert, declaring('b', { files: ['config.json'] })])).toThrow(
      "Model families 'bert-sentiment' and 'b' declare different pre-trained models under models/roberta-base/.",
    );
    expect(lakeModels([{ ...bert, pretrainedModel: undefined }])).toEqual([]);
  });
});
