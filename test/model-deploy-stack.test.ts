import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileSystem, IgnoreMode } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { APP_SOURCE_PATTERNS, deployerContext } from '../lib/model-deploy-stack';
import { projectRoot } from '../lib/project-paths';
import { contextValues, loadConfig, PlatformConfig } from '../lib/settings';
import { buildApp, configFor, customersFeatureGroups, roleStatements, SYNTH_VARIANTS } from './helpers';

const CHAMPION_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/1';
const CHALLENGER_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/2';

/** The project's environment variables by name. */
function environmentOf(project: any): Record<string, string> {
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
}

/** The context a configuration bakes into the deployer. */
function configContext(config: PlatformConfig): Record<string, string> {
  return deployerContext(contextValues(config));
}

/** What the deployer's synth makes of the context a configuration bakes into the project. */
function deployerConfig(config: PlatformConfig): PlatformConfig {
  const context = configContext(config);
  return loadConfig((key) => context[key]);
}

/** A configuration as the deployer sees it: its own settings dropped, serving on. */
function withoutDeployerSettings(config: PlatformConfig): PlatformConfig {
  const { modelPackageArn: _champion, challengerModelPackageArn: _challenger, ...rest } = config;
  return { ...rest, serving: true };
}

describe('ModelDeployStack (default dev configuration)', () => {
  const { platform } = buildApp({});
  const stack = platform.modelDeploy;
  const template = Template.fromStack(stack);
  const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
  const [projectId] = Object.keys(template.findResources('AWS::CodeBuild::Project'));

  test('is always in the platform, named from the prefix, without a serving stack by default', () => {
    expect(stack.stackName).toBe('pds-dev-model-deploy');
    expect(platform.serving).toBeUndefined();
    expect(stack.championParameterName).toBe('/pds-dev/serving/champion-model-package-arn');
    expect(stack.challengerParameterName).toBe('/pds-dev/serving/challenger-model-package-arn');
  });

  test('approving a package of the reviews group starts the deployer with the package ARN', () => {
    // One approval rule per family of the app; the first family's is this one.
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.sagemaker'] } } });
    expect(Object.values(rules)).toHaveLength(Object.keys(platform.families).length);
    const [rule] = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { ModelPackageGroupName: ['pds-dev-bert-sentiment'] } } } })) as any[];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      detail: { ModelPackageGroupName: ['pds-dev-bert-sentiment'], ModelApprovalStatus: ['Approved'] },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [projectId, 'Arn'] });
    expect(target.RoleArn).toEqual(expect.anything());
    const { InputPathsMap, InputTemplate } = target.InputTransformer;
    expect(InputPathsMap).toEqual({ 'detail-ModelPackageArn': '$.detail.ModelPackageArn' });
    // EventBridge puts the value in with its quotes: fill the placeholder as it would, then read the JSON.
    const input = JSON.parse(InputTemplate.replace('<detail-ModelPackageArn>', JSON.stringify(CHAMPION_ARN)));
    expect(input).toEqual({ environmentVariablesOverride: [{ name: 'MODEL_PACKAGE_ARN', type: 'PLAINTEXT', value: CHAMPION_ARN }] });
  });

  test('the project: its own key, the standard 7.0 image, not privileged, the deploy script', () => {
    expect(project.Properties).toMatchObject({
      EncryptionKey: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      Environment: { Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false, Type: 'LINUX_CONTAINER' },
      Source: { Type: 'S3' },
    });
    expect(project.Properties.Source.BuildSpec).toContain('scripts/deploy-approved.ts');
    expect(project.Properties.Source.BuildSpec).toContain('npm ci');
  });

  test('the project knows the serving stack, the parameters, the promotion and the configuration', () => {
    const env = environmentOf(project);
    expect(env).toMatchObject({
      SERVING_STACK: 'pds-dev-serving',
      CHAMPION_PARAMETER: '/pds-dev/serving/champion-model-package-arn',
      CHALLENGER_PARAMETER: '/pds-dev/serving/challenger-model-package-arn',
      PROMOTION: 'replace',
    });
    const context = JSON.parse(env.CDK_CONTEXT);
    expect(context).toMatchObject({ stage: 'dev', serving: 'true' });
    expect(Object.values(context).every((v) => typeof v === 'string')).toBe(true);
    expect(context.modelPackageArn).toBeUndefined();
    expect(context.challengerModelPackageArn).toBeUndefined();
  });

  test('the project role may assume only the three CDK bootstrap roles', () => {
    const statements = roleStatements(template, 'DeployerRole');
    const assume = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sts:')));
    expect(assume).toHaveLength(1);
    expect(assume[0].Sid).toBe('AssumeCdkBootstrapRoles');
    const roles = JSON.stringify(assume[0].Resource);
    for (const name of ['deploy', 'file-publishing', 'lookup']) expect(roles).toContain(`:role/cdk-hnb659fds-${name}-role-`);
    expect(assume[0].Resource).toHaveLength(3);
    expect(roles).not.toContain('cfn-exec');
  });

  test('the project role may read and write only the two serving parameters of each family in SSM', () => {
    const statements = roleStatements(template, 'DeployerRole');
    const ssm = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect([ssm[0].Action].flat().sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    const resources = JSON.stringify(ssm[0].Resource);
    // The first family's keep the platform's first names; every other family's are under its id.
    const others = ['blazingtext-sentiment', 'autopilot-sentiment'];
    expect(ssm[0].Resource).toHaveLength(2 + 2 * others.length);
    expect(resources).toContain(':parameter/pds-dev/serving/champion-model-package-arn');
    expect(resources).toContain(':parameter/pds-dev/serving/challenger-model-package-arn');
    for (const family of others) {
      expect(resources).toContain(`:parameter/pds-dev/serving/${family}/champion-model-package-arn`);
      expect(resources).toContain(`:parameter/pds-dev/serving/${family}/challenger-model-package-arn`);
    }
  });

  test('the project role has no managed policies and no other powers', () => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })] } } })) as any[];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const actions = roleStatements(template, 'DeployerRole').flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => /^(cloudformation|iam|sagemaker|s3:Put|s3:Delete)/.test(a))).toEqual([]);
  });

  test('the serving topic is encrypted with the stack key and told of failed deployments', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codebuild'], 'detail-type': ['CodeBuild Build State Change'], detail: { 'project-name': [{ Ref: projectId }], 'build-status': ['FAILED'] } },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
  });

  test('the app source ships without dependencies, outputs or tests', () => {
    expect(APP_SOURCE_PATTERNS[0]).toBe('/*');
    expect(APP_SOURCE_PATTERNS).toEqual(expect.arrayContaining(['!/bin', '!/lib', '!/scripts', '!/package-lock.json', '!/cdk.json']));
    expect(APP_SOURCE_PATTERNS).not.toEqual(expect.arrayContaining(['!/node_modules', '!/test', '!/cdk.out']));
    // A family package's tests stay out too, its code goes in.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'app-source-'));
    FileSystem.copyDirectory(projectRoot(), copy, { exclude: APP_SOURCE_PATTERNS, ignoreMode: IgnoreMode.GIT });
    const family = path.join(copy, 'pipeline-definitions', 'families', 'bert-sentiment');
    expect(fs.existsSync(path.join(family, 'code', 'train.py'))).toBe(true);
    expect(fs.existsSync(path.join(family, 'test'))).toBe(false);
    expect(fs.existsSync(path.join(copy, 'test'))).toBe(false);
  });
});

describe('ModelDeployStack options', () => {
  test('the project never takes the model package ARNs of the synth that deployed it', () => {
    const { platform } = buildApp({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingPromotion: 'challenger' });
    const project = platform.modelDeploy.deployer.node.defaultChild as codebuild.CfnProject;
    const env = platform.modelDeploy.resolve(project.environment) as { environmentVariables: { name: string; value: string }[] };
    const byName = Object.fromEntries(env.environmentVariables.map((v) => [v.name, v.value]));
    expect(byName.PROMOTION).toBe('challenger');
    const context = JSON.parse(byName.CDK_CONTEXT);
    expect(context).toMatchObject({ stage: 'dev', serving: 'true', servingPromotion: 'challenger' });
    expect(context).not.toHaveProperty('modelPackageArn');
    expect(context).not.toHaveProperty('challengerModelPackageArn');
  });

  test('an e-mail address subscribes to the serving topic', () => {
    const { platform } = buildApp({ servingNotificationEmail: 'ml@example.com' });
    Template.fromStack(platform.modelDeploy).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml@example.com' });
  });

  test('a pinned platform builds and names the bootstrap roles of its account and region', () => {
    const { platform } = buildApp({ account: '123456789012', region: 'eu-west-1' });
    expect(platform.modelDeploy.environment).toBe('aws://123456789012/eu-west-1');
    const roles = JSON.stringify(roleStatements(Template.fromStack(platform.modelDeploy), 'DeployerRole').find((s) => s.Sid === 'AssumeCdkBootstrapRoles').Resource);
    expect(roles).toContain(':iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-eu-west-1');
    expect(roles).toContain('cdk-hnb659fds-file-publishing-role-123456789012-eu-west-1');
    expect(roles).toContain('cdk-hnb659fds-lookup-role-123456789012-eu-west-1');
  });

  test('a custom bootstrap qualifier names the roles of that bootstrap', () => {
    const { platform } = buildApp({ '@aws-cdk/core:bootstrapQualifier': 'pds12345' });
    const policy = platform.modelDeploy.resolve(
      (platform.modelDeploy.deployer.role as any).node.findChild('DefaultPolicy').document.toJSON(),
    );
    const roles = JSON.stringify(policy.Statement.find((s: any) => s.Sid === 'AssumeCdkBootstrapRoles').Resource);
    expect(roles).toContain(':role/cdk-pds12345-deploy-role-');
    expect(roles).not.toContain('hnb659fds');
  });
});

describe('the deployer\'s context', () => {
  test('the default configuration round-trips, with serving on', () => {
    const config = configFor({});
    expect(deployerConfig(config)).toEqual(withoutDeployerSettings(config));
  });

  test('the stage first, then the settings by name; strictSettings (about reading settings) is left out', () => {
    const context = configContext(configFor({ ...SYNTH_VARIANTS.full, strictSettings: 'true' }));
    const keys = Object.keys(context);
    expect(keys[0]).toBe('stage');
    expect(keys.slice(1, -1)).toEqual([...keys.slice(1, -1)].sort());
    expect(keys).not.toContain('strictSettings');
    expect(keys[keys.length - 1]).toBe('serving');
  });

  test('a configuration with every kind of value round-trips, without the deployer\'s own settings', () => {
    const config = configFor({
      stage: 'prod',
      namePrefix: 'acme-ml',
      account: '123456789012',
      // The region of the served packages (a package of another region is refused).
      region: 'us-east-1',
      crawlerSchedule: 'cron(0 3 * * ? *)',
      onlineStoreTtlDays: '30',
      modelQualityThresholds: '{"accuracy":0.4,"weighted_f1":0.3}',
      pipelineSubnetIds: 'subnet-0abc1234,subnet-0def5678',
      pipelineSecurityGroupIds: 'sg-0abc1234',
      bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}',
      modelPackageArn: CHAMPION_ARN,
      challengerModelPackageArn: CHALLENGER_ARN,
      servingPromotion: 'challenger',
      servingVariants: '{"VariantB":{"weight":3,"instanceType":"ml.c5.xlarge"}}',
      servingAutoscaling: '{"maxCapacity":4}',
      servingRollout: '{"canaryPercent":10,"waitSeconds":600}',
      dataCaptureSamplingPercentage: '20',
      monitoringSchedule: 'rate(2 hours)',
      servingNotificationEmail: 'ml@example.com',
      budgetMonthlyLimitUsd: '99.5',
      budgetEmail: 'team@example.com',
    });
    const context = configContext(config);
    expect(context).toMatchObject({ serving: 'true', pipelineSubnetIds: 'subnet-0abc1234,subnet-0def5678', budgetMonthlyLimitUsd: '99.5' });
    expect(context).not.toHaveProperty('modelPackageArn');
    expect(context).not.toHaveProperty('challengerModelPackageArn');
    expect(deployerConfig(config)).toEqual(withoutDeployerSettings(config));
  });

  test('featureGroups round-trips (an array of objects, not a list of strings)', () => {
    const featureGroups = customersFeatureGroups();
    const config = configFor({ featureGroups });
    expect(configContext(config).featureGroups).not.toBe('[object Object]');
    expect(deployerConfig(config)).toEqual(withoutDeployerSettings(config));
  });

  // The app checks the configuration the deployer will synthesize (serving on, ARNs from SSM) too,
  // so that an approval never meets a configuration its synth refuses.
  test('the app refuses what the deployer would refuse: serverless with challenger promotion, even with serving off', () => {
    expect(() => configFor({ servingProfile: 'serverless', servingPromotion: 'challenger' })).toThrow(
      "'servingPromotion' is challenger, but the serverless profile serves one variant",
    );
  });

  test('the app refuses what the deployer would refuse: a zero-weight champion that the deployer would serve alone', () => {
    expect(() =>
      configFor({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingVariants: '{"VariantA":{"weight":0}}' }),
    ).toThrow("the weights of VariantA are all 0");
    expect(() =>
      configFor({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingPromotion: 'challenger', servingVariants: '{"VariantA":{"weight":0}}' }),
    ).not.toThrow();
  });
});
