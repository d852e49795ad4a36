import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../../test/helpers';

function pipelineStack(context: Record<string, unknown> = {}) {
  const { platform } = buildApp(context);
  const stack = platform.pipelines['bert-sentiment'];
  const template = Template.fromStack(stack);
  const [pipeline] = Object.values(template.findResources('AWS::SageMaker::Pipeline'));
  // The definition body is JSON with deploy-time values spliced in: flatten the join to read it.
  const body = pipeline.Properties.PipelineDefinition.PipelineDefinitionBody;
  const text = body ? (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '"TOKEN"')).join('') : '';
  return { stack, template, pipeline, definitionText: text, platform };
}

describe('the BERT pipeline\'s TrainingPipelineStack', () => {
  const { template, pipeline, definitionText, stack } = pipelineStack();

  test('a SageMaker pipeline named from the prefix, run by its own role', () => {
    expect(pipeline.Properties).toMatchObject({
      PipelineName: 'pds-dev-bert-sentiment',
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^Role/), 'Arn'] },
    });
    expect(pipeline.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^RoleDefaultPolicy/)]));
  });

  test('the definition is the typed one, with deploy-time values from the other stacks', () => {
    expect(definitionText).toContain('"Version":"2020-12-01"');
    expect(definitionText).toContain('"Name":"AccuracyCondition"');
    expect(definitionText).toContain('"FeatureGroupName","Type":"String","DefaultValue":"pds-dev-reviews"');
    expect(definitionText).toContain('"ModelPackageGroupName":"pds-dev-bert-sentiment"');
    expect(definitionText).not.toContain('DebugRuleConfigurations');
    const joined = JSON.stringify(pipeline.Properties.PipelineDefinition.PipelineDefinitionBody);
    expect(joined).toContain('pds-dev-data-lake');
    expect(joined).toMatch(/"Fn::FindInMap":\["ImageRegistries",\{"Ref":"AWS::Region"\},"dlc"\]/);
  });

  test('the step code is uploaded to the lake under its content hash', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: Match.stringLikeRegexp('^pipelines/bert-sentiment/code/[0-9a-f]{32}/$'),
      Prune: false,
    });
    expect(definitionText).toMatch(/pipelines\/bert-sentiment\/code\/[0-9a-f]{32}\//);
  });

  test('the role: no managed policies; jobs of its kinds; PassRole only of itself to SageMaker', () => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } } }));
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements: any[] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Role') }] } })).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('PipelineJobs').Action).toEqual(expect.arrayContaining(['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob', 'sagemaker:CreateTransformJob', 'sagemaker:CreateModel']));
    expect(bySid('PipelineJobs').Action).not.toContain('sagemaker:CreateEndpoint');
    expect(bySid('PassOnlyThisRoleToSageMaker')).toMatchObject({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['sagemaker:PutRecord', 'sagemaker:CreateModelPackage', 's3:PutObject', 'kms:GenerateDataKey']));
    expect(actions.filter((a: string) => a.endsWith('*') || a === '*')).toEqual([]);
  });

  test('the role may let SageMaker use the lake key for job volumes and outputs', () => {
    const statements: any[] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Role') }] } })).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements.find((s) => s.Sid === 'JobVolumeAndOutputEncryption')).toMatchObject({
      Action: 'kms:CreateGrant',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    expect(statements.find((s) => s.Sid === 'JobNetworkInterfaces')).toBeUndefined();
  });

  test('no schedule and no start on new data by default; failures go to an encrypted topic', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventPattern).toMatchObject({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      detail: { currentPipelineExecutionStatus: ['Failed'] },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
    expect(stack.terminationProtection).toBe(false);
  });
});

describe('the BERT pipeline\'s TrainingPipelineStack: options', () => {
  test('a schedule, a start on new raw data and an e-mail on failure', () => {
    const { template, platform } = pipelineStack({
      pipelineSchedule: 'rate(7 days)',
      pipelineStartOnNewData: 'true',
      pipelineNotificationEmail: 'ml@example.com',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(7 days)',
      Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: Match.objectLike({ object: { key: ['raw/womens-clothing-reviews/_SUCCESS', { wildcard: 'raw/womens-clothing-reviews/*/_SUCCESS' }] } }) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml@example.com' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:StartPipelineExecution' })] },
    });
    Template.fromStack(platform.dataLake).hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  test('the managed quality engine adds Debugger rules and the profiler, and Clarify and Model Monitor checks', () => {
    const { definitionText, template } = pipelineStack({ qualityEngine: 'managed' });
    expect(definitionText).toContain('DebugRuleConfigurations');
    expect(definitionText).toContain('"rule_to_invoke":"ProfilerReport"');
    expect(definitionText).toMatch(/"Name":"CheckDataBias","Type":"ClarifyCheck","Description":"[^"]*","CheckType":"DATA_BIAS"/);
    expect(definitionText).toMatch(/"Name":"CheckModelQuality","Type":"QualityCheck","Description":"[^"]*","CheckType":"MODEL_QUALITY"/);
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(3); // the step-code library, BERT's code and the model-quality minimums
    const pulls = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(pulls).toContain(':repository/sagemaker-clarify-processing');
    expect(pulls).toContain(':repository/sagemaker-model-monitor-analyzer');
    expect(pulls).not.toContain('ClarifyShadowEndpoint');
    const withExplainability = JSON.stringify(pipelineStack({ qualityEngine: 'managed', explainability: 'true' }).template.findResources('AWS::IAM::Policy'));
    expect(withExplainability).toContain('ClarifyShadowEndpoint');
    expect(withExplainability).toContain(':endpoint/sm-clarify-*');
  });

  test('VPC settings go to the jobs that are not network-isolated, and the role may manage their interfaces', () => {
    const { definitionText, template } = pipelineStack({ pipelineSubnetIds: 'subnet-0abc1234,subnet-0def5678', pipelineSecurityGroupIds: 'sg-0abc1234' });
    expect(definitionText.match(/"VpcConfig"/g)).toHaveLength(3);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'JobNetworkInterfaces', Action: Match.arrayWith(['ec2:CreateNetworkInterface']) })]) },
    });
    expect(definitionText).toContain('"Subnets":["subnet-0abc1234","subnet-0def5678"]');
  });

  test('spot training waits for capacity and resumes from checkpoints', () => {
    const { definitionText } = pipelineStack({ spotTraining: 'true' });
    expect(definitionText).toContain('"EnableManagedSpotTraining":true');
    expect(definitionText).toContain('"MaxWaitTimeInSeconds":172800');
    expect(definitionText).toContain('"CheckpointConfig"');
  });

  test('the definition goes inline by default and to the lake when asked (or when large)', () => {
    const inline = pipelineStack();
    expect(inline.stack.definitionStorage).toBe('inline');
    const { pipeline, template, stack } = pipelineStack({ pipelineDefinitionStorage: 's3' });
    expect(stack.definitionStorage).toBe('s3');
    const location = pipeline.Properties.PipelineDefinition.PipelineDefinitionS3Location;
    expect(location.Key).toMatch(/^pipelines\/bert-sentiment\/code\/[0-9a-f]{32}\/definitions\/[0-9a-f]{32}\.json$/);
    expect(JSON.stringify(location.Bucket)).toContain('pds-dev-data-lake');
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(3); // the library, BERT's code and the definition
    // The definition file carries deploy-time values, resolved by the deployment.
    expect(JSON.stringify(deployment.Properties.SourceMarkers)).toContain('pds-dev-data-lake');
  });

  test('gate thresholds come from the configuration', () => {
    const { definitionText } = pipelineStack({ dataBiasThresholds: '{"DPL": 0.2}', modelQualityThresholds: '{"accuracy": 0.6}', biasMinGroupSize: '50' });
    expect(definitionText).toContain('"--thresholds","{\\"DPL\\":0.2}","--min-group-size","50"');
    expect(definitionText).toContain('{\\"accuracy\\":0.6}');
  });

  test('the code version from context is recorded with registered models', () => {
    const { definitionText } = pipelineStack({ codeVersion: 'abc123' });
    expect(definitionText).toContain('"code_version":"abc123"');
  });
});
