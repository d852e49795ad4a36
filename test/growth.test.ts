import { Stack } from 'aws-cdk-lib';
import { FEATURE_GROUP_POINTS, growthContext, LIMITS, limitsAbove, PIPELINE_POINTS, templateUse } from '../scripts/bench/growth';
import { buildApp } from './helpers';

/** Every stack's template of a growth configuration (synthesized with the cdk-nag checks). */
function templates(featureGroups: number, pipelines: number) {
  const { app, platform } = buildApp(growthContext(featureGroups, pipelines));
  const assembly = app.synth();
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  return { platform, uses: stacks.map((s) => templateUse(s.stackName, assembly.getStackByName(s.stackName).template)) };
}

describe('growth: the largest configuration the benchmark measures', () => {
  const largestGroups = Math.max(...FEATURE_GROUP_POINTS);
  const largestPipelines = Math.max(...PIPELINE_POINTS);
  const { platform, uses } = templates(largestGroups, largestPipelines);

  test('synthesizes every feature group and pipeline it declares', () => {
    expect(Object.keys(platform.mlRegistry.featureGroups)).toHaveLength(largestGroups - 1);
    // The growing package's pipelines, beside the app's other ones (those it has at one).
    const others = Object.keys(buildApp(growthContext(1, 1)).platform.pipelines).length - 1;
    expect(Object.keys(platform.pipelines)).toHaveLength(largestPipelines + others);
    expect(uses.map((u) => u.stack)).toEqual(expect.arrayContaining(['pds-dev-ml-registry', 'pds-dev-bert-pipeline', `pds-dev-bert-pipeline-variant-${largestPipelines - 1}`]));
  });

  test('no stack uses more than half of any CloudFormation limit', () => {
    expect(uses.flatMap((use) => limitsAbove(use, 0.5))).toEqual([]);
  });

  test('no pipeline definition uses more than half of SageMaker\'s definition limit', () => {
    for (const stack of Object.values(platform.pipelines)) {
      expect(stack.definitionChars).toBeLessThan(LIMITS.pipelineDefinitionChars / 2);
    }
  });
});

describe('growth is linear', () => {
  test('each feature group adds the same resources to the registry stack', () => {
    const registry = (groups: number) => templates(groups, 1).uses.find((u) => u.stack === 'pds-dev-ml-registry')!.resources;
    const [one, two, three] = [registry(1), registry(2), registry(3)];
    expect(two - one).toBe(three - two);
    expect(two - one).toBeLessThanOrEqual(4);
  });

  test('each pipeline adds a stack of the same size', () => {
    const { uses } = templates(1, 3);
    const pipelines = uses.filter((u) => u.stack.startsWith('pds-dev-bert-pipeline'));
    expect(pipelines).toHaveLength(3);
    expect(new Set(pipelines.map((u) => u.resources)).size).toBe(1);
  });
});
