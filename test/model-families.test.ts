/**
 * Model families: a family declared in this test alone (a fixture) gets its pipeline stack, its
 * model package group, its approval rule and, served, an endpoint whose model role reads only its
 * artifacts; a BERT variant is a family too, approved and served the same way.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { familyServingNames, ModelFamily } from '../lib/model-family';
import { FAMILY_PACKAGES, familyLocalRuns, familySettings, platformFamilies } from '../pipeline-definitions/families';
import { setting } from '../lib/settings/setting';
import { projectPath } from '../lib/project-paths';
import { buildPlatform } from '../lib/platform';
import { ConfigError, loadConfig } from '../lib/settings';
import { FailStep, ParameterString, PipelineDefinition } from '../pipeline-definitions/dsl';
import { CDK_JSON_CONTEXT, lakePrefixes, roleStatements } from './helpers';

/** A family of the test's own: one pipeline (a Fail step) that registers into its group, served without a monitor. */
const FIXTURE: ModelFamily = {
  id: 'fixture',
  description: 'Models of the fixture family',
  tags: { pipeline: 'fixture' },
  pipelines: [
    {
      id: 'fixture',
      stackSuffix: 'fixture-pipeline',
      description: 'the fixture family\'s pipeline',
      pipelineDescription: 'The fixture family\'s pipeline',
      jobKinds: ['processing-job'],
      images: [],
      lake: { rawPrefix: 'raw/fixture/' },
      definition: ({ codeUri }) =>
        new PipelineDefinition({ parameters: [new ParameterString('Code', codeUri)], steps: [new FailStep('Stop', { errorMessage: 'fixture' })] }),
    },
  ],
  artifactsPrefixes: ['pipelines/fixture/'],
  serving: { inferenceImages: ['huggingFaceInference'], contentType: 'application/json' },
};

function platformWith(context: Record<string, string>, extra: readonly ModelFamily[] = []) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  return buildPlatform(app, config, { families: [...platformFamilies(config), ...extra] });
}

/** The lake prefixes a role may read objects under (from its policies' s3:GetObject resources). */
function readablePrefixes(template: Template, rolePrefix: string): string[] {
  return accessiblePrefixes(template, rolePrefix, 's3:GetObject');
}

function accessiblePrefixes(template: Template, rolePrefix: string, action: string): string[] {
  return lakePrefixes(roleStatements(template, rolePrefix), action);
}

/** The lake prefixes a role may write objects under (from its policies' s3:PutObject resources). */
function writablePrefixes(template: Template, rolePrefix: string): string[] {
  return accessiblePrefixes(template, rolePrefix, 's3:PutObject');
}

describe('a family declared once (a fixture, no edit outside this test)', () => {
  const platform = platformWith({ servingFamilies: 'fixture' }, [FIXTURE]);
  const fixture = platform.families.fixture;

  test('its pipeline stack, registering into its own model package group', () => {
    expect(fixture.pipelines.map((s) => s.stackName)).toEqual(['pds-dev-fixture-pipeline']);
    Template.fromStack(platform.mlRegistry).hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'pds-dev-fixture',
      ModelPackageGroupDescription: 'Models of the fixture family',
    });
    const policies = JSON.stringify(Template.fromStack(fixture.pipelines[0]).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':model-package-group/pds-dev-fixture"');
  });

  test('its approval rule deploys its own serving stack with its own parameters', () => {
    const template = Template.fromStack(platform.modelDeploy);
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { ModelPackageGroupName: ['pds-dev-fixture'] } } } });
    const [rule] = Object.values(rules) as any[];
    const input: string = rule.Properties.Targets[0].InputTransformer.InputTemplate;
    for (const [name, value] of [
      ['SERVING_FAMILY', 'fixture'],
      ['SERVING_STACK', 'pds-dev-serving-fixture'],
      ['CHAMPION_PARAMETER', '/pds-dev/serving/fixture/champion-model-package-arn'],
      ['CHALLENGER_PARAMETER', '/pds-dev/serving/fixture/challenger-model-package-arn'],
    ]) {
      expect(input).toContain(JSON.stringify({ name, type: 'PLAINTEXT', value }));
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('parameter/pds-dev/serving/fixture/champion-model-package-arn');
    // BERT's rule keeps its first id and names.
    expect(platform.modelDeploy.approvalRules['bert-sentiment'].node.id).toBe('OnApproved');
  });

  test('served: its endpoint, whose model role reads its artifacts and no other family\'s; no monitor of its own', () => {
    expect(fixture.serving?.stackName).toBe('pds-dev-serving-fixture');
    expect(fixture.serving?.endpointName).toBe('pds-dev-fixture');
    const template = Template.fromStack(fixture.serving!);
    expect(readablePrefixes(template, 'ModelRole')).toEqual(['pipelines/fixture']);
    template.resourceCountIs('AWS::SageMaker::Pipeline', 0);
    expect(platform.serving).toBeUndefined();
  });
});

describe('a BERT variant is a family', () => {
  const platform = platformWith({ bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}', servingFamilies: 'bert-sentiment-dresses' });
  const dresses = platform.families['bert-sentiment-dresses'];

  test('approving a package of its group deploys its serving stack', () => {
    const template = Template.fromStack(platform.modelDeploy);
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { detail: { ModelPackageGroupName: ['pds-dev-bert-sentiment-dresses'], ModelApprovalStatus: ['Approved'] } } },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    expect(JSON.stringify(rules)).toContain('pds-dev-serving-bert-sentiment-dresses');
  });

  test('it can be served: the model role reads the variant\'s artifacts, its monitor the same', () => {
    expect(dresses.serving?.endpointName).toBe('pds-dev-bert-sentiment-dresses');
    const template = Template.fromStack(dresses.serving!);
    expect(readablePrefixes(template, 'ModelRole')).toEqual(['pipelines/bert-sentiment-dresses']);
    template.hasResourceProperties('AWS::SageMaker::Pipeline', { PipelineName: 'pds-dev-bert-sentiment-dresses-monitor' });
    const parameters = Object.values(template.toJSON().Parameters ?? {}).map((p: any) => p.Default);
    expect(parameters).toContain('/pds-dev/serving/bert-sentiment-dresses/champion-model-package-arn');
  });

  test('its monitoring pipeline writes its reports under its own prefix, the one its role may write', () => {
    const template = Template.fromStack(dresses.serving!);
    const definition = JSON.stringify(template.findResources('AWS::SageMaker::Pipeline'));
    const written = [...new Set([...definition.matchAll(/\/pipelines\/([a-z0-9-]+)/g)].map((m) => m[1]))];
    expect(written).toEqual(['bert-sentiment-dresses-monitor']);
    expect(writablePrefixes(template, 'MonitorRole')).toEqual(['pipelines/bert-sentiment-dresses-monitor']);
  });

  test('names: BERT keeps its first ones, a variant has its own', () => {
    const [bert, variant] = platformFamilies(loadConfig((k) => ({ bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}' })[k as 'bertPipelineVariants']));
    expect(familyServingNames('pds-dev', bert)).toEqual({
      stackName: 'pds-dev-serving',
      endpointId: 'bert-sentiment',
      monitorId: 'endpoint-monitor',
      championParameterName: '/pds-dev/serving/champion-model-package-arn',
      challengerParameterName: '/pds-dev/serving/challenger-model-package-arn',
    });
    expect(familyServingNames('pds-dev', variant)).toEqual({
      stackName: 'pds-dev-serving-bert-sentiment-dresses',
      endpointId: 'bert-sentiment-dresses',
      monitorId: 'bert-sentiment-dresses-monitor',
      championParameterName: '/pds-dev/serving/bert-sentiment-dresses/champion-model-package-arn',
      challengerParameterName: '/pds-dev/serving/bert-sentiment-dresses/challenger-model-package-arn',
    });
  });
});

test('with the managed engine, a pipeline\'s role pulls the images of the gates it declares alone', () => {
  const modelQualityOnly: ModelFamily = { ...FIXTURE, pipelines: [{ ...FIXTURE.pipelines[0], gates: ['CheckModelQuality'] }] };
  const platform = platformWith({ qualityEngine: 'managed' }, [modelQualityOnly]);
  const policies = JSON.stringify(Template.fromStack(platform.pipelines.fixture).findResources('AWS::IAM::Policy'));
  expect(policies).toContain(':repository/sagemaker-model-monitor-analyzer');
  expect(policies).not.toContain(':repository/sagemaker-clarify-processing');
  expect(policies).not.toContain(':repository/sagemaker-debugger-rules');
  // BERT declares every gate: all three.
  const bert = JSON.stringify(Template.fromStack(platform.pipelines['bert-sentiment']).findResources('AWS::IAM::Policy'));
  for (const repository of ['sagemaker-model-monitor-analyzer', 'sagemaker-clarify-processing', 'sagemaker-debugger-rules']) expect(bert).toContain(`:repository/${repository}`);
  const clarify: ModelFamily = {
    ...modelQualityOnly,
    pipelines: [{ ...modelQualityOnly.pipelines[0], definition: (build) => new PipelineDefinition({ parameters: [new ParameterString('Image', build.managedImage('clarify'))], steps: [new FailStep('Stop', { errorMessage: 'x' })] }) }],
  };
  expect(() => platformWith({ qualityEngine: 'managed' }, [clarify])).toThrow(
    'Pipeline fixture: its definition runs the managed clarify image, which none of its gates (CheckModelQuality) runs on.',
  );
});

test('servingFamilies naming no family of the app fails, naming the setting, the value and the families', () => {
  expect(() => platformWith({ servingFamilies: 'fixtur' }, [FIXTURE])).toThrow(ConfigError);
  expect(() => platformWith({ servingFamilies: 'fixtur' }, [FIXTURE])).toThrow(
    "Invalid context value 'servingFamilies': 'fixtur' is not a model family of the app; expected some of bert-sentiment, blazingtext-sentiment, autopilot-sentiment, fixture.",
  );
});

describe('the families of an app are checked together before any stack is made', () => {
  const refused = (families: (config: ReturnType<typeof loadConfig>) => ModelFamily[], message: string) => {
    const app = new App({ context: CDK_JSON_CONTEXT });
    const config = loadConfig((key) => app.node.tryGetContext(key));
    expect(() => buildPlatform(app, config, { families: families(config) })).toThrow(new ConfigError(message));
    expect(app.node.children).toHaveLength(0);
  };
  const pipeline = FIXTURE.pipelines[0];

  test('a pipeline id two families declare, naming the id and both', () => {
    const twin: ModelFamily = { ...FIXTURE, id: 'twin', pipelines: [{ ...pipeline, stackSuffix: 'twin-pipeline' }] };
    refused((config) => [...platformFamilies(config), FIXTURE, twin], "Pipeline id 'fixture' is declared by model family 'fixture' and by model family 'twin'; expected one of each per app.");
  });

  test('a pipeline id that is a monitoring pipeline\'s (they share pipelines/<id>/ of the lake)', () => {
    const clash: ModelFamily = { ...FIXTURE, pipelines: [{ ...pipeline, id: 'endpoint-monitor' }] };
    refused(
      (config) => [...platformFamilies(config), clash],
      "Pipeline id 'endpoint-monitor' is declared by the monitoring pipeline of model family 'bert-sentiment' and by model family 'fixture'; expected one of each per app.",
    );
  });

  test('a stack suffix two families declare', () => {
    const twin: ModelFamily = { ...FIXTURE, id: 'twin', pipelines: [{ ...pipeline, id: 'twin' }] };
    refused(
      (config) => [...platformFamilies(config), FIXTURE, twin],
      "Pipeline stack suffix 'fixture-pipeline' is declared by model family 'fixture' and by model family 'twin'; expected one stack per suffix.",
    );
  });

  test('a first family that does not keep the first names, or a second that does', () => {
    refused(
      (config) => [FIXTURE, ...platformFamilies(config)],
      "Model family 'fixture' comes first but does not keep the first names (families that keep them: bert-sentiment); expected the first family alone to keep them (list new family packages after the first).",
    );
    refused(
      (config) => [...platformFamilies(config), { ...FIXTURE, keepsFirstNames: true }],
      "Model family 'bert-sentiment' comes first but is not alone in keeping the first names (families that keep them: bert-sentiment, fixture); expected the first family alone to keep them (list new family packages after the first).",
    );
  });

  test('a definition name two family packages run locally, or one the monitoring pipeline has', () => {
    const pkg = { families: () => [], localRuns: { 'endpoint-monitor': () => ({}) } };
    expect(() => familyLocalRuns([...FAMILY_PACKAGES, pkg], [])).not.toThrow();
    expect(() => familyLocalRuns([...FAMILY_PACKAGES, pkg], ['endpoint-monitor'])).toThrow(
      'Local runs: definition endpoint-monitor is declared twice; expected one local run per definition name.',
    );
    expect(() => familyLocalRuns([...FAMILY_PACKAGES, ...FAMILY_PACKAGES])).toThrow('Local runs: definition bert-sentiment is declared twice');
  });

  test('a definition that runs an image it does not declare (its role could not pull it)', () => {
    const undeclared: ModelFamily = {
      ...FIXTURE,
      pipelines: [{ ...pipeline, definition: (build) => new PipelineDefinition({ parameters: [new ParameterString('Image', build.image('sklearn'))], steps: [new FailStep('Stop', { errorMessage: 'x' })] }) }],
    };
    const app = new App({ context: CDK_JSON_CONTEXT });
    const config = loadConfig((key) => app.node.tryGetContext(key));
    expect(() => buildPlatform(app, config, { families: [...platformFamilies(config), undeclared] })).toThrow(
      "Pipeline fixture: its definition runs image sklearn, which it does not declare (images: none); add it to the pipeline's images so its role may pull it.",
    );
  });
});

test('a variant named <family>-monitor clashes with that family\'s monitoring pipeline: refused, naming both', () => {
  expect(() => platformWith({ bertPipelineVariants: '{"foo":{"inputPrefix":"raw/foo/"},"foo-monitor":{"inputPrefix":"raw/bar/"}}' })).toThrow(
    "Model family 'bert-sentiment-foo-monitor' clashes with the monitoring pipeline of family 'bert-sentiment-foo' (named bert-sentiment-foo-monitor)",
  );
});

test('a serving stack the deployer adds later reads only outputs that a platform serving nothing has already deployed', () => {
  const variants = '{"dresses":{"inputPrefix":"raw/dresses/"}}';
  const before = platformWith({ bertPipelineVariants: variants });
  const outputs = new Map<string, Set<string>>();
  const exports = new Set<string>();
  for (const stack of [before.dataLake, before.mlRegistry, before.modelDeploy]) {
    const declared = Template.fromStack(stack).toJSON().Outputs ?? {};
    outputs.set(stack.stackName, new Set(Object.keys(declared)));
    for (const output of Object.values(declared) as any[]) if (output.Export) exports.add(output.Export.Name);
  }
  const after = platformWith({ bertPipelineVariants: variants, serving: 'true', servingFamilies: 'bert-sentiment-dresses' });
  const read: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const node = value as Record<string, any>;
      if (node['Fn::GetStackOutput']) read.push(`${node['Fn::GetStackOutput'].StackName}:${node['Fn::GetStackOutput'].OutputName}`);
      if (typeof node['Fn::ImportValue'] === 'string') read.push(`export:${node['Fn::ImportValue']}`);
      Object.values(node).forEach(visit);
    }
  };
  for (const stack of [after.serving!, after.families['bert-sentiment-dresses'].serving!]) visit(Template.fromStack(stack).toJSON());
  expect(read.length).toBeGreaterThan(0);
  const missing = read.filter((r) => (r.startsWith('export:') ? !exports.has(r.slice(7)) : !outputs.get(r.split(':')[0])?.has(r.split(':')[1])));
  expect([...new Set(missing)]).toEqual([]);
});

test('a setting two family packages declare, or a package and the platform, is refused naming it', () => {
  const withSetting = (key: string) => ({ families: () => [], localRuns: {}, settings: { [key]: setting({ type: 'string', doc: 'x', allowed: 'x', parse: (raw: unknown) => String(raw) }) } });
  expect(familySettings([withSetting('fixtureModels')], ['stage'])).toHaveProperty('fixtureModels');
  expect(() => familySettings([withSetting('fixtureModels'), withSetting('fixtureModels')])).toThrow(
    'Family settings: fixtureModels is declared by another family package too; expected one declaration per setting.',
  );
  expect(() => familySettings([withSetting('stage')], ['stage'])).toThrow('Family settings: stage is declared by the platform too; expected one declaration per setting.');
});

test('a family whose packages have several containers: the model names the package, whose role pulls each image', () => {
  const serial: ModelFamily = { ...FIXTURE, serving: { ...FIXTURE.serving, inferenceImages: ['sklearn', 'huggingFaceInference'] } };
  const template = Template.fromStack(platformWith({ servingFamilies: 'fixture' }, [serial]).families.fixture.serving!);
  // SageMaker expands a package of several containers into its serial inference pipeline.
  template.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: Match.anyValue() }, Containers: Match.absent() });
  const pulls = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  for (const repository of ['sagemaker-scikit-learn', 'huggingface-pytorch-inference']) expect(pulls).toContain(`:repository/${repository}`);
});

test('with the managed engine, a Clarify gate whose analysis configuration the family\'s code does not hold is refused, naming the file', () => {
  const dataBias: ModelFamily = {
    ...FIXTURE,
    pipelines: [{ ...FIXTURE.pipelines[0], codeDir: projectPath('lib'), gates: ['CheckDataBias'] }],
  };
  expect(() => platformWith({ qualityEngine: 'managed' }, [dataBias])).toThrow(
    "Pipeline fixture: CheckDataBias runs on Clarify with the managed engine, which reads clarify/data_bias/analysis_config.json of the pipeline's code; lib has none (add it, or leave the gate out).",
  );
  expect(() => platformWith({ qualityEngine: 'open' }, [dataBias])).not.toThrow();
});
