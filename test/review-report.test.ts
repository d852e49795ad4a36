/**
 * The review report on small fixture apps: each change a reviewer must see (a setting that changes
 * a property, a stateful replacement, an IAM change, a pipeline-argument change, security changes)
 * and no change at all, asserted line by line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SETTINGS_RECORD_FILE } from '../lib/settings-record';
import { Assembly, deployedPipelines, readAssembly } from '../scripts/review/assembly';
import { buildReport } from '../scripts/review/report';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-report-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface FixtureSettings {
  readonly logRetentionDays?: logs.RetentionDays;
  readonly bucketName?: string;
  readonly tableId?: string;
  readonly extraStatement?: boolean;
  readonly tolerance?: string;
  readonly minAccuracy?: string;
  readonly extraStep?: boolean;
  readonly definitionInS3?: boolean;
  readonly blockPublicAccess?: boolean;
  readonly keyAdminRole?: boolean;
  readonly acknowledgement?: string;
  /** The content of a file asset the role may read. */
  readonly assetContent?: string;
  /** A 64-digit hash in an object key that is no asset of the app. */
  readonly foreignHash?: string;
  readonly archivePolicy?: RemovalPolicy;
  readonly pipelineRole?: 'other';
  readonly volumeKey?: string;
  readonly extraStack?: boolean;
  /** The role may do anything to every object of the lake (with the acknowledgements that takes). */
  readonly everyObject?: boolean;
  /** A second pipeline. */
  readonly extraPipeline?: boolean;
}

let count = 0;
/** Synthesizes the fixture app with these settings and reads its assembly. */
function synthFixture(settings: FixtureSettings = {}): Assembly {
  const outdir = path.join(scratch, `assembly-${count++}`);
  const app = new App({ outdir });
  const data = new Stack(app, 'fixture-data');
  const bucket = new s3.Bucket(data, 'Lake', {
    bucketName: settings.bucketName ?? 'fixture-lake',
    removalPolicy: RemovalPolicy.RETAIN,
    blockPublicAccess: settings.blockPublicAccess === false ? s3.BlockPublicAccess.BLOCK_ACLS_ONLY : s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
  });
  new logs.LogGroup(data, 'Logs', { retention: settings.logRetentionDays ?? logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
  const table = new s3.CfnBucket(data, settings.tableId ?? 'Archive', {});
  table.applyRemovalPolicy(settings.archivePolicy ?? RemovalPolicy.RETAIN);
  const key = new kms.Key(data, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  if (settings.keyAdminRole) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/reader')], resources: ['*'] }),
    );
  }
  new CfnOutput(data, 'LakeName', { value: bucket.bucketName });

  const pipelines = new Stack(app, 'fixture-pipelines');
  const role = new iam.Role(pipelines, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  bucket.grantRead(role, 'raw/*');
  if (settings.extraStatement) bucket.grantPut(role, 'models/*');
  if (settings.everyObject) {
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: [bucket.arnForObjects('*')] }));
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::s3:*]', reason: 'The pipeline manages the whole lake.' });
  }
  if (settings.acknowledgement) Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: settings.acknowledgement });
  const assetDir = path.join(scratch, `asset-${count}`);
  fs.mkdirSync(assetDir, { recursive: true });
  fs.writeFileSync(path.join(assetDir, 'code.txt'), settings.assetContent ?? 'version 1');
  const code = new s3assets.Asset(pipelines, 'Code', { path: assetDir });
  code.bucket.grantRead(role, code.s3ObjectKey);
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::shared-artifacts/${settings.foreignHash ?? 'a'.repeat(64)}.zip`] }),
  );
  const runAs = settings.pipelineRole === 'other' ? new iam.Role(pipelines, 'OtherRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }) : role;
  const definition = {
    Version: '2020-12-01',
    Parameters: [
      { Name: 'InputData', Type: 'String', DefaultValue: `s3://${bucket.bucketName}/raw/` },
      { Name: 'MinAccuracy', Type: 'Float', DefaultValue: Number(settings.minAccuracy ?? '0.33') },
    ],
    Steps: [
      {
        Name: 'CheckModelQuality',
        Type: 'Processing',
        Arguments: {
          RoleArn: role.roleArn,
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, VolumeKmsKeyId: settings.volumeKey ?? 'alias/lake' } },
          AppSpecification: {
            ImageUri: 'example.com/image:1',
            ContainerArguments: ['model-quality', '--tolerance', settings.tolerance ?? '0.05', '--skip', { Get: 'Parameters.Skip' }],
          },
        },
      },
      {
        Name: 'AccuracyCondition',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: 0.5, RightValue: { Get: 'Parameters.MinAccuracy' } }],
          IfSteps: [
            { Name: 'RegisterModel', Type: 'RegisterModel', Arguments: { ModelPackageGroupName: 'group' } },
            ...(settings.extraStep ? [{ Name: 'Transform', Type: 'Transform', Arguments: { TransformJobName: 'x' } }] : []),
          ],
          ElseSteps: [{ Name: 'AccuracyTooLow', Type: 'Fail', Arguments: { ErrorMessage: 'too low' } }],
        },
      },
    ],
  };
  let pipelineDefinition: Record<string, unknown>;
  if (settings.definitionInS3) {
    const deployment = new s3deploy.BucketDeployment(pipelines, 'Upload', {
      destinationBucket: bucket,
      destinationKeyPrefix: 'code/',
      sources: [s3deploy.Source.jsonData('definitions/pipeline.json', definition)],
    });
    pipelineDefinition = { PipelineDefinitionS3Location: { Bucket: deployment.deployedBucket.bucketName, Key: 'code/definitions/pipeline.json' } };
  } else {
    pipelineDefinition = { PipelineDefinitionBody: pipelines.toJsonString(definition) };
  }
  new sagemaker.CfnPipeline(pipelines, 'Pipeline', { pipelineName: 'fixture-pipeline', roleArn: runAs.roleArn, pipelineDefinition });
  if (settings.extraStack) new sns.Topic(new Stack(app, 'fixture-extra'), 'Alerts', { enforceSSL: true });
  if (settings.extraPipeline) {
    const steps = [
      {
        Name: 'Prepare',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: { Get: 'Parameters.ProcessingInstanceType' } } },
          AppSpecification: { ImageUri: '111122223333.dkr.ecr.us-east-1.amazonaws.com/prepare:1' },
          NetworkConfig: { EnableNetworkIsolation: false },
        },
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: { AlgorithmSpecification: { TrainingImage: 'example.com/train:2' }, ResourceConfig: { InstanceType: 'ml.c5.9xlarge', InstanceCount: 1 }, EnableNetworkIsolation: true },
      },
      { Name: 'Score', Type: 'Transform', Arguments: { ModelName: 'm', TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 } } },
      { Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'no' } },
    ];
    const second = { Version: '2020-12-01', Parameters: [{ Name: 'ProcessingInstanceType', Type: 'String', DefaultValue: 'ml.c5.2xlarge' }], Steps: steps };
    new sagemaker.CfnPipeline(pipelines, 'SecondPipeline', { pipelineName: 'fixture-second', roleArn: role.roleArn, pipelineDefinition: { PipelineDefinitionBody: pipelines.toJsonString(second) } });
  }

  const assembly = app.synth();
  fs.writeFileSync(path.join(assembly.directory, SETTINGS_RECORD_FILE), JSON.stringify({ stage: 'dev', ...settings }));
  return readAssembly(outdir);
}

function report(base: Assembly | undefined, head: Assembly, baseError?: string): string {
  return buildReport({ base, head, baseError, baseLabel: '`base`', headLabel: 'head', context: { stage: 'dev' } });
}

/** The lines of a report's section (from its `## title` to the next `## `). */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`no section ${title} in:\n${text}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== '');
}

const baseline = synthFixture();
const CAVEAT = 'Judged from the templates alone: replacements that follow from values CloudFormation computes at deploy time are not foreseen.';

describe('review report', () => {
  test('no change: every section says so', () => {
    const text = report(baseline, synthFixture());
    expect(text).toContain('Base: `base` · Head: head · Context: `-c stage=dev`');
    expect(section(text, 'Stateful resources')).toEqual(['No stateful resource is replaced or deleted.', CAVEAT]);
    expect(section(text, 'Summary')).toEqual(['- **fixture-data**: no change', '- **fixture-pipelines**: no change']);
    expect(section(text, 'Security changes')).toEqual(['No IAM or security changes.']);
    expect(section(text, 'Pipelines')).toEqual(['- `fixture-pipeline` (fixture-pipelines): no change']);
    expect(section(text, 'Settings')).toEqual(['No setting differs.']);
    expect(section(text, 'Resources')).toEqual(['No resource changes.']);
  });

  test('a setting that changes a resource property: the setting and the property, before and after', () => {
    const text = report(baseline, synthFixture({ logRetentionDays: logs.RetentionDays.ONE_MONTH }));
    expect(section(text, 'Settings')).toEqual(['| Setting | Base | Head |', '| --- | --- | --- |', '| `logRetentionDays` | (none) | 30 |']);
    expect(section(text, 'Summary')).toContain('- **fixture-data**: 1 to update');
    const resources = section(text, 'Resources');
    expect(resources).toContain('### fixture-data');
    expect(resources).toContainEqual(expect.stringMatching(/^\| update \| `Logs[0-9A-F]+` \| AWS::Logs::LogGroup \| Logs\/Resource \| `RetentionInDays 7 → 30` \|$/));
    expect(section(text, 'Stateful resources')).toEqual(['No stateful resource is replaced or deleted.', CAVEAT]);
    expect(section(text, 'Security changes')).toEqual(['No IAM or security changes.']);
  });

  test('a stateful replacement and a stateful deletion are flagged at the top', () => {
    const text = report(baseline, synthFixture({ bucketName: 'fixture-lake-2', tableId: 'ArchiveRenamed' }));
    const flagged = section(text, 'Stateful resources');
    expect(flagged).toContainEqual(
      expect.stringMatching(/^- ⚠️ \*\*fixture-data\*\* `Lake[0-9A-F]+` \(AWS::S3::Bucket, DeletionPolicy Retain\): replaced: BucketName changed$/),
    );
    expect(flagged).toContain(
      '- ⚠️ **fixture-data** `Archive` (AWS::S3::Bucket, DeletionPolicy Retain): removed from the template (a changed construct path or id removes it and adds a new one); retained, so it stays in the account but leaves CloudFormation',
    );
    expect(text.indexOf('## Stateful resources')).toBeLessThan(text.indexOf('## Summary'));
    expect(section(text, 'Resources')).toContainEqual(expect.stringMatching(/^\| \*\*replace\*\* \| `Lake[0-9A-F]+` .*`BucketName fixture-lake → fixture-lake-2` \(replaces\)/));
  });

  test('an IAM change: the statement added, with its actions and resource', () => {
    const text = report(baseline, synthFixture({ extraStatement: true }));
    const security = section(text, 'Security changes');
    // New wildcards for the role: listed first, then the statement in the IAM table.
    expect(security[0]).toBe('### ⚠️ What widens access');
    expect(security).toContainEqual(expect.stringMatching(/^- \*\*fixture-pipelines\*\* Allow `s3:Abort\* s3:PutObject .*`: new wildcard action `s3:Abort\*`; new wildcard resource `\$\{fixture-data:Lake[0-9A-F]+\.Arn\}\/models\/\*`$/));
    expect(security).toContain('### IAM statements');
    expect(security).toContainEqual(
      expect.stringMatching(
        /^\| \+ \| fixture-pipelines \| Allow \| s3:Abort\* s3:PutObject s3:PutObjectLegalHold s3:PutObjectRetention s3:PutObjectTagging s3:PutObjectVersionTagging \| \$\{fixture-data:Lake[0-9A-F]+\.Arn\}\/models\/\* \| AWS:\$\{Role[0-9A-F]+\} \|  \|$/,
      ),
    );
    expect(security.filter((l) => l.startsWith('| - '))).toEqual([]);
  });

  test('a pipeline-argument change: the step and the argument, before → after; parameters and steps too', () => {
    const text = report(baseline, synthFixture({ tolerance: '0.07', minAccuracy: '0.4', extraStep: true }));
    expect(section(text, 'Pipelines')).toEqual([
      '### `fixture-pipeline` (fixture-pipelines)',
      '- **CheckModelQuality** (Processing):',
      '  - `--tolerance 0.05 → 0.07`',
      '- **AccuracyCondition** (Condition):',
      '  - `IfSteps [RegisterModel] → [RegisterModel, Transform]`',
      '- Steps added: Transform (Transform)',
      '| Step | Type | Image | Instance type | Network isolation |',
      '| --- | --- | --- | --- | --- |',
      '| Transform | Transform | — | — | — |',
      '- Parameters:',
      '  - MinAccuracy: default 0.33 → 0.4',
    ]);
    expect(section(text, 'Summary')).toContain('- **fixture-pipelines**: 1 to update, 1 pipeline definition changed');
    expect(section(text, 'Resources')).toContainEqual(expect.stringContaining('PipelineDefinition: see Pipelines'));
  });

  test('a definition stored in S3 is read from the uploaded asset, deploy-time values as placeholders', () => {
    const base = synthFixture({ definitionInS3: true });
    const [pipeline] = deployedPipelines(base);
    expect(pipeline.error).toBeUndefined();
    const parameters = pipeline.definition!.Parameters as { Name: string; DefaultValue: unknown }[];
    expect(parameters[0].DefaultValue).toMatch(/^s3:\/\/\$\{fixture-data:Lake[0-9A-F]+\}\/raw\/$/);
    const text = report(base, synthFixture({ definitionInS3: true, tolerance: '0.07' }));
    expect(section(text, 'Pipelines')).toEqual(expect.arrayContaining(['- **CheckModelQuality** (Processing):', '  - `--tolerance 0.05 → 0.07`']));
  });

  test('security changes other than IAM statements: key policies, public access, acknowledgements', () => {
    const text = report(baseline, synthFixture({ keyAdminRole: true, blockPublicAccess: false, acknowledgement: 'The role reads every object under raw/.' }));
    const security = section(text, 'Security changes');
    // A principal the key's policy did not name, and the acknowledgement: what widens access, first.
    expect(security.slice(0, 4)).toEqual([
      '### ⚠️ What widens access',
      expect.stringMatching(/^- \*\*fixture-data\*\* Allow `kms:Decrypt` on `\$\{Key[0-9A-F]+\.Arn\}` to `AWS:arn:aws:iam::111122223333:role\/reader`: new principal `AWS:arn:aws:iam::111122223333:role\/reader`$/),
      '- acknowledgement added: `AwsSolutions-IAM5[Action::s3:GetObject*]` on `fixture-pipelines/Role`: The role reads every object under raw/.',
      '### IAM statements',
    ]);
    expect(security).toContain('### KMS key policies');
    expect(security).toContainEqual(expect.stringMatching(/^\| \+ \| fixture-data \| Allow \| kms:Decrypt \| \$\{Key[0-9A-F]+\.Arn\} \| AWS:arn:aws:iam::111122223333:role\/reader \|  \|$/));
    expect(security).toContainEqual(expect.stringMatching(/^- \*\*fixture-data\*\* `Key[0-9A-F]+`: key policy changed \(its statements are in the IAM table\)$/));
    expect(security).toContain('### Exposure, encryption, isolation and identity');
    expect(security).toContainEqual(
      expect.stringMatching(
        /^- \*\*fixture-data\*\* `Lake[0-9A-F]+` \(AWS::S3::Bucket\): `PublicAccessBlockConfiguration\.BlockPublicPolicy true → false`; `PublicAccessBlockConfiguration\.RestrictPublicBuckets true → false`$/,
      ),
    );
    expect(security).toContain('### cdk-nag acknowledgements');
    expect(security).toContain('- + `AwsSolutions-IAM5[Action::s3:GetObject*]` on `fixture-pipelines/Role`: The role reads every object under raw/.');
  });

  test('a base that does not synthesize: said clearly, and the head alone', () => {
    const text = report(undefined, baseline, 'Invalid context value \'stage\': \'qa\' is not allowed.');
    expect(text).toContain('> **The base does not synthesize**, so this report covers the head alone.');
    expect(text).toContain("> Invalid context value 'stage': 'qa' is not allowed.");
    expect(section(text, 'Stacks (head)')).toEqual(['- **fixture-data**: 5 resources', '- **fixture-pipelines**: 3 resources']);
    expect(section(text, 'Pipelines (head)')).toEqual([
      '- `fixture-pipeline` (fixture-pipelines): 4 steps (CheckModelQuality, AccuracyCondition, RegisterModel, AccuracyTooLow), 2 parameters',
    ]);
  });

  test('a new version of an asset the role reads is set apart; a changed hash that is no asset is an IAM change', () => {
    const newAsset = section(report(baseline, synthFixture({ assetContent: 'version 2' })), 'Security changes');
    expect(newAsset[0]).toBe('No IAM or security changes.');
    expect(newAsset).toContain(
      "<details><summary>1 IAM statement differs only in the content hash of an asset of the app: the same permission on the asset's new version</summary>",
    );
    const foreign = section(report(baseline, synthFixture({ foreignHash: 'f'.repeat(64) })), 'Security changes');
    expect(foreign[0]).toBe('### IAM statements');
    expect(foreign).toContainEqual(expect.stringContaining(`| + | fixture-pipelines | Allow | s3:GetObject | arn:aws:s3:::shared-artifacts/${'f'.repeat(64)}.zip |`));
    expect(foreign).toContainEqual(expect.stringContaining(`| - | fixture-pipelines | Allow | s3:GetObject | arn:aws:s3:::shared-artifacts/${'a'.repeat(64)}.zip |`));
  });

  test('a weaker deletion policy on a stateful resource is flagged', () => {
    const text = report(baseline, synthFixture({ archivePolicy: RemovalPolicy.DESTROY }));
    expect(section(text, 'Stateful resources')).toContain(
      '- ⚠️ **fixture-data** `Archive` (AWS::S3::Bucket): DeletionPolicy Retain → Delete: removing or replacing it later deletes its data',
    );
  });

  test('another role for a resource and another key for a step are security changes', () => {
    const text = report(baseline, synthFixture({ pipelineRole: 'other', volumeKey: 'alias/other' }));
    const security = section(text, 'Security changes');
    expect(security).toContainEqual(
      expect.stringMatching(/^- \*\*fixture-pipelines\*\* `Pipeline` \(AWS::SageMaker::Pipeline\): `RoleArn \$\{Role[0-9A-F]+\.Arn\} → \$\{OtherRole[0-9A-F]+\.Arn\}`/),
    );
    expect(security).toContain('- `fixture-pipeline` **CheckModelQuality**: `ProcessingResources.ClusterConfig.VolumeKmsKeyId alias/lake → alias/other`');
  });

  test('the resources of a new stack are listed', () => {
    const resources = section(report(baseline, synthFixture({ extraStack: true })), 'Resources');
    expect(resources).toContain('### fixture-extra (new stack)');
    expect(resources).toContainEqual(expect.stringMatching(/^\| add \| `Alerts[0-9A-F]+` \| AWS::SNS::Topic \| Alerts\/Resource \|/));
  });

  test('a removed stack: its stateful resources are flagged and its summary says so', () => {
    const text = report(baseline, { ...baseline, stacks: baseline.stacks.filter((s) => s.name !== 'fixture-data') });
    expect(section(text, 'Summary')).toContainEqual(expect.stringMatching(/^- \*\*fixture-data\*\*: stack removed, \d+ resources$/));
    expect(section(text, 'Stateful resources')).toContainEqual(expect.stringMatching(/^- ⚠️ \*\*fixture-data\*\* `Lake[0-9A-F]+` \(AWS::S3::Bucket, DeletionPolicy Retain\): its stack is removed/));
  });

  test('a widening is listed first in the security section, and its whole diff is in the report', () => {
    const text = report(baseline, synthFixture({ everyObject: true }));
    const security = section(text, 'Security changes');
    expect(security.slice(0, 3)).toEqual([
      '### ⚠️ What widens access',
      expect.stringMatching(
        /^- \*\*fixture-pipelines\*\* Allow `s3:\*` on `\$\{fixture-data:(Lake[0-9A-F]+)\.Arn\}\/\*` to `AWS:\$\{Role[0-9A-F]+\}`: new wildcard action `s3:\*`; broader resource `\$\{fixture-data:\1\.Arn\}\/raw\/\*` → `\$\{fixture-data:\1\.Arn\}\/\*`$/,
      ),
      '- acknowledgement added: `AwsSolutions-IAM5[Action::s3:*]` on `fixture-pipelines/Role`: The pipeline manages the whole lake.',
    ]);
    // The policy's change is the statement added, whole; nothing in the report is cut.
    expect(section(text, 'Resources')).toContainEqual(
      expect.stringMatching(/\| `PolicyDocument\.Statement\[1\] \(none\) → \{"Action":"s3:\*","Effect":"Allow","Resource":"\$\{fixture-data:Lake[0-9A-F]+\.Arn\}\/\*"\}` \|$/),
    );
    expect(text).not.toMatch(/…(?! )/u);
  });

  test('a change that widens nothing lists no widening', () => {
    const security = section(report(baseline, synthFixture({ foreignHash: 'f'.repeat(64), volumeKey: 'alias/other' })), 'Security changes');
    expect(security).not.toContain('### ⚠️ What widens access');
  });

  test('a new pipeline: each step with its image, instance type and network isolation', () => {
    const pipelines = section(report(baseline, synthFixture({ extraPipeline: true })), 'Pipelines');
    expect(pipelines).toEqual([
      '- `fixture-pipeline` (fixture-pipelines): no change',
      '### `fixture-second` (fixture-pipelines)',
      'New pipeline with 4 steps: Prepare (Processing), Train (Training), Score (Transform), Stop (Fail).',
      '| Step | Type | Image | Instance type | Network isolation |',
      '| --- | --- | --- | --- | --- |',
      '| Prepare | Processing | `111122223333.dkr.ecr.us-east-1.amazonaws.com/prepare:1` | Get(Parameters.ProcessingInstanceType) | false |',
      '| Train | Training | `example.com/train:2` | ml.c5.9xlarge | true |',
      "| Score | Transform | `the model's (m)` | ml.m5.large | the model's |",
      '| Stop | Fail | — | — | — |',
    ]);
  });
});
