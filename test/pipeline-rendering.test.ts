import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT_FILE, contractDrift, contractFileText, stepCodeContract } from '../pipeline-definitions/contract';
import { DeployValues, PLACEHOLDER_ENVIRONMENT, UnrenderableValue } from '../pipeline-definitions/rendering/deploy-values';
import { parseRenderArguments, RenderedPipeline, renderAssembly, writeRenderings } from '../pipeline-definitions/rendering/render';
import { Assembly, deployedPipelines } from '../scripts/review/assembly';
import { assemblyFor } from './helpers';

type Json = Record<string, any>;

function step(definition: Json, name: string): Json {
  const all = (steps: Json[]): Json[] => steps.flatMap((s) => [s, ...all([...(s.Arguments?.IfSteps ?? []), ...(s.Arguments?.ElseSteps ?? [])])]);
  const found = all(definition.Steps).find((s) => s.Name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
}

/**
 * Where a rendering differs from the template's definition other than in deploy-time values:
 * the template's side as the review reads it (`${…}` for each deploy-time value), each such
 * placeholder matching any text of the rendering at its place.
 */
function differences(template: unknown, rendered: unknown, at = ''): string[] {
  if (typeof template === 'string' && typeof rendered === 'string') {
    if (!template.includes('${')) return template === rendered ? [] : [`${at}: ${template} ≠ ${rendered}`];
    const pattern = template.split(/\$\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
    return new RegExp(`^${pattern}$`).test(rendered) ? [] : [`${at}: ${rendered} does not fit ${template}`];
  }
  if (template !== null && typeof template === 'object' && rendered !== null && typeof rendered === 'object') {
    const keys = new Set([...Object.keys(template), ...Object.keys(rendered)]);
    return [...keys].flatMap((key) => differences((template as Json)[key], (rendered as Json)[key], `${at}/${key}`));
  }
  return template === rendered ? [] : [`${at}: ${JSON.stringify(template)} ≠ ${JSON.stringify(rendered)}`];
}

describe('the rendering of the pipeline definitions', () => {
  let assembly: Assembly;
  let rendered: RenderedPipeline[];
  beforeAll(() => {
    assembly = assemblyFor({ modelQualityTolerance: '0.07', modelPackageArn: 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/3' });
    rendered = renderAssembly(assembly);
  });

  test('is made from the configuration the template is: -c modelQualityTolerance=0.07 reaches CheckModelQuality', () => {
    const bert = rendered.find((p) => p.id === 'bert-sentiment')!;
    const args: string[] = step(bert.definition, 'CheckModelQuality').Arguments.AppSpecification.ContainerArguments;
    expect(args[args.indexOf('--tolerance') + 1]).toBe('0.07');
    expect(rendered.map((p) => p.id).sort()).toEqual(['autopilot-sentiment', 'bert-sentiment', 'bert-sentiment-tuning', 'blazingtext-sentiment', 'endpoint-monitor']);
  });

  test('is the template\'s definition with typed placeholders for the deploy-time values only', () => {
    const deployed = deployedPipelines(assembly);
    expect(deployed).toHaveLength(rendered.length);
    for (const pipeline of deployed) {
      const rendering = rendered.find((p) => p.stack === pipeline.stack && p.pipelineName === pipeline.name);
      expect(rendering).toBeDefined();
      expect(differences(pipeline.definition, rendering!.definition)).toEqual([]);
      expect(JSON.stringify(rendering!.definition)).not.toMatch(/\$\{|Token\[/);
    }
    const bert = rendered.find((p) => p.id === 'bert-sentiment')!.definition;
    const processing = step(bert, 'Processing').Arguments;
    expect(processing.RoleArn).toMatch(new RegExp(`^arn:aws:iam::${PLACEHOLDER_ENVIRONMENT.account}:role/[\\w+=,.@-]{1,64}$`));
    expect(processing.ProcessingOutputConfig.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(processing.AppSpecification.ImageUri).toMatch(/^763104351884\.dkr\.ecr\.us-east-1\.amazonaws\.com\/huggingface-pytorch-training:/);
  });

  test('a planted drift between the two is found', () => {
    const pipeline = deployedPipelines(assembly).find((p) => p.name.endsWith('bert-sentiment'))!;
    const planted = JSON.parse(JSON.stringify(rendered.find((p) => p.id === 'bert-sentiment')!.definition));
    step(planted, 'CheckModelQuality').Arguments.AppSpecification.ContainerArguments.push('--extra');
    expect(differences(pipeline.definition, planted)).toEqual([expect.stringContaining('ContainerArguments')]);
  });

  test('local settings come from the assembly and the declaration beside the definition', () => {
    const bert = rendered.find((p) => p.id === 'bert-sentiment')!.local;
    const code = bert.seeds[0];
    expect(code).toMatchObject({ asset: true, uri: expect.stringMatching(/^s3:\/\/[a-z0-9.-]+\/pipelines\/bert-sentiment\/code\/[0-9a-f]{32}\/$/) });
    expect(fs.existsSync(path.join(code.path!, 'quality_gate.py'))).toBe(true);
    expect(bert.seeds.map((s) => s.uri)).toEqual(expect.arrayContaining([expect.stringMatching(/\/raw\/womens-clothing-reviews\/$/)]));
    expect(bert.parameters).toEqual({ LearningRate: '0.005' });
    expect(Object.keys(bert.featureGroups)).toEqual(['pds-dev-reviews']);
    expect(bert.featureGroups['pds-dev-reviews']).toMatchObject({ recordIdentifier: 'review_id', eventTime: 'date' });
  });

  test('the managed rendering substitutes each managed check with its open gate', () => {
    const managed = renderAssembly(assemblyFor({ qualityEngine: 'managed', explainability: 'true' })).find((p) => p.id === 'bert-sentiment')!;
    expect(Object.keys(managed.local.substitutions).sort()).toEqual(['CheckDataBias', 'CheckDataQuality', 'CheckExplainability', 'CheckModelBias', 'CheckModelQuality']);
    const quality = managed.local.substitutions.CheckModelQuality;
    expect(quality.command.slice(2, 3)).toEqual(['model-quality']);
    expect(quality.command[1]).toBe(`{s3:${managed.local.seeds[0].uri}}quality_gate.py`);
    expect(quality.whenSupplied).toEqual(['--constraints-file', '{suppliedConstraints}']);
  });

  test('writes each pipeline and its local settings, with the code copied beside them', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rendering-'));
    const files = writeRenderings(rendered, { out, suffix: 'check', only: ['bert-sentiment'] });
    expect(files.map((f) => path.basename(f))).toEqual(['bert-sentiment.check.json', 'bert-sentiment.check.local.json']);
    const local = JSON.parse(fs.readFileSync(files[1], 'utf-8'));
    expect(local.seeds[0].path.startsWith(path.join(out, 'assets'))).toBe(true);
    expect(local.seeds[0].asset).toBeUndefined();
    expect(() => writeRenderings(rendered, { out, only: ['no-such'] })).toThrow(/no pipeline no-such in this configuration; it has bert-sentiment, bert-sentiment-tuning, blazingtext-sentiment, autopilot-sentiment, endpoint-monitor/);
  });
});

describe('several families served', () => {
  test('each monitoring pipeline renders to a file of its own', () => {
    const served = renderAssembly(
      assemblyFor({ serving: 'true', bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}', servingFamilies: 'bert-sentiment-dresses' }),
    );
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rendering-'));
    const files = writeRenderings(served, { out }).map((f) => path.basename(f)).filter((f) => !f.endsWith('.local.json'));
    expect(files.sort()).toEqual(['autopilot-sentiment.json', 'bert-sentiment-dresses-monitor.json', 'bert-sentiment-dresses.json', 'bert-sentiment-tuning.json', 'bert-sentiment.json', 'blazingtext-sentiment.json', 'endpoint-monitor.json']);
  });

  test('two pipelines of one id are refused, naming both stacks, before a file is written', () => {
    const pipeline = (stack: string) => ({ id: 'monitor', definitionKind: 'monitor', stack, pipelineName: `${stack}-monitor`, definition: {}, local: {} as any });
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rendering-')), 'out');
    expect(() => writeRenderings([pipeline('a'), pipeline('b')], { out })).toThrow(
      'render: pipelines a-monitor (stack a) and b-monitor (stack b) both render as monitor.json; expected one id (Metadata.pipeline) per pipeline',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('the renderer\'s command line', () => {
  test('takes -c values, a suffix, pipelines and an output folder', () => {
    expect(parseRenderArguments(['-c', 'modelQualityTolerance=0.07', '--suffix', 'managed', '--only', 'a,b', '--out', '/tmp/x'], '/project')).toEqual({
      context: { modelQualityTolerance: '0.07' },
      suffix: 'managed',
      only: ['a', 'b'],
      out: '/tmp/x',
      assembly: undefined,
    });
    expect(() => parseRenderArguments(['-c', 'novalue'])).toThrow('render: -c novalue is not key=value');
    expect(() => parseRenderArguments(['--bogus'])).toThrow(/unknown argument --bogus/);
  });
});

describe('typed placeholders', () => {
  const templates = new Map<string, any>([
    ['a', {
      Mappings: { Images: { 'us-east-1': { account: '763104351884' } } },
      Resources: { Role: { Type: 'AWS::IAM::Role' }, Named: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'my-role' } }, Topic: { Type: 'AWS::SNS::Topic' }, Odd: { Type: 'AWS::Lambda::Function' } },
      Outputs: { BucketOut: { Value: { Ref: 'Bucket' }, Export: { Name: 'b-bucket' } } },
    }],
    ['b', { Resources: { Bucket: { Type: 'AWS::S3::Bucket' } }, Outputs: { BucketName: { Value: { Ref: 'Bucket' }, Export: { Name: 'lake-bucket' } } } }],
  ]);
  const values = new DeployValues(templates, 'a');

  test('evaluate references by the resource type, mappings and other stacks\' outputs', () => {
    expect(values.text({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('arn:aws:iam::111122223333:role/a-Role');
    expect(values.text({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe('arn:aws:iam::111122223333:role/my-role');
    expect(values.text({ Ref: 'Topic' })).toBe('arn:aws:sns:us-east-1:111122223333:a-Topic');
    expect(values.text({ 'Fn::Join': ['', [{ 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'account'] }, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] }))
      .toBe('763104351884.dkr.ecr.us-east-1.amazonaws.com');
    expect(values.text({ 'Fn::ImportValue': 'lake-bucket' })).toBe('b-bucket');
    expect(values.text({ 'Fn::GetStackOutput': { StackName: 'b', Region: { Ref: 'AWS::Region' }, OutputName: 'BucketName' } })).toBe('b-bucket');
    expect(values.text({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}' })).toBe('arn:aws:iam::111122223333:role/a-Role');
    expect(values.text({ 'Fn::Sub': '${!Literal}-${Topic.TopicName}' })).toBe('${Literal}-a-Topic');
  });

  test('a value that cannot be rendered is an error naming it', () => {
    expect(() => values.text({ 'Fn::GetAtt': ['Odd', 'Endpoint'] })).toThrow(new UnrenderableValue('a: cannot render Odd.Endpoint (AWS::Lambda::Function)'));
    expect(() => values.text({ Ref: 'Missing' })).toThrow('a: no resource or parameter Missing');
    expect(() => values.text({ Ref: 'Odd' })).toThrow(/a: cannot render a reference to Odd \(AWS::Lambda::Function\): the renderer knows AWS::S3::Bucket, /);
    expect(() => values.text({ 'Fn::GetAtt': ['Topic', 'DomainName'] })).toThrow('a: cannot render Topic.DomainName (AWS::SNS::Topic)');
    expect(() => values.text({ 'Fn::Select': [0, ['x']] })).toThrow(/a: cannot render \{"Fn::Select"/);
    expect(() => values.text({ 'Fn::ImportValue': 'nobody' })).toThrow('a: no stack of the assembly exports nobody');
  });
});

describe('the step-code contract', () => {
  test('the shipped contract.json is the one contract.ts makes (npm run contract writes it)', () => {
    expect(fs.readFileSync(CONTRACT_FILE, 'utf-8')).toBe(contractFileText());
  });

  test('a planted drift on either side is named', () => {
    const shipped = JSON.parse(contractFileText());
    expect(contractDrift(shipped)).toEqual([]);
    shipped.metricNamespace = 'Other/Namespace';
    shipped.labels[0].classId = 2;
    expect(contractDrift(shipped)).toEqual([
      'metricNamespace: the step code has "Other/Namespace", the TypeScript side "PracticalDataScience/ModelMonitoring"',
      'labels.0.classId: the step code has 2, the TypeScript side 0',
    ]);
    const expected = stepCodeContract() as Json;
    expect(contractDrift(JSON.parse(contractFileText()), { ...expected, response: { ...expected.response, label: 'label' } })).toEqual([
      'response.label: the step code has "predicted_label", the TypeScript side "label"',
    ]);
  });
});
