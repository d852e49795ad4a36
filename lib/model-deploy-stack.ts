import { CfnOutput, Duration, Fn, IgnoreMode, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { encryptedTopic } from './constructs/encrypted-topic';
import { IModelPackageGroup } from './constructs/model-package-group';
import { FamilyServingNames } from './model-family';
import { ILakeStorage } from './constructs/data-lake-storage';
import { logGroupName } from './data-lake-stack';
import { acknowledgeWildcards } from './nag';
import { projectRoot } from './project-paths';

/**
 * What ships with the app's source to the deployer (git-style patterns from the project root): the
 * app, its step code and sample data, the package files; never dependencies, outputs or tests.
 */
export const APP_SOURCE_PATTERNS = [
  '/*',
  ...['bin', 'lib', 'pipeline-definitions', 'scripts', 'data', 'package.json', 'package-lock.json', 'cdk.json', 'tsconfig.json', '.swcrc'].map(
    (entry) => `!/${entry}`,
  ),
  // A family package's own tests are not the app.
  '/pipeline-definitions/families/*/test',
  '__pycache__',
  '*.pyc',
  '.pytest_cache',
];

/** A partition, region or account in a rendered ARN: a literal or a pseudo parameter such as `<AWS::Region>`. */
const ARN_PART = '(?:<AWS::[A-Za-z]+>|[a-z0-9-]+)';

/** The settings the deployer never takes from the baked configuration: it serves what SSM says. */
const DEPLOYER_OWN_SETTINGS = new Set<string>(['serving', 'modelPackageArn', 'challengerModelPackageArn']);

/** A family whose approved packages the deployer serves. */
export interface DeployedFamily {
  readonly id: string;
  /** The group whose approved packages are served. */
  readonly modelPackageGroup: IModelPackageGroup;
  /** Its serving stack and the SSM parameters of its champion (VariantA) and challenger (VariantB). */
  readonly names: FamilyServingNames;
}

/**
 * What the deployer passes to `cdk deploy` so that its synth is the one that deployed this stack:
 * the configuration's context values (the stage and every setting that differs from the stage's
 * default) without the deployer's own settings, and serving on.
 */
export function deployerContext(contextValues: Readonly<Record<string, string>>): Record<string, string> {
  const context = Object.fromEntries(Object.entries(contextValues).filter(([key]) => !DEPLOYER_OWN_SETTINGS.has(key)));
  return { ...context, serving: 'true' };
}

export interface ModelDeployStackProps extends StackProps {
  /** Prefix of the physical names (and of the serving parameters' names). */
  readonly namePrefix: string;
  /** The lake, whose key encrypts the deployer's logs. */
  readonly storage: ILakeStorage;
  /**
   * The families whose approved packages are deployed: the first is the deployer's default (its
   * rule keeps its first id); each other family's rule names its own stack and parameters.
   */
  readonly families: readonly DeployedFamily[];
  /** The context the deployer synthesizes with ({@link deployerContext}). */
  readonly deployerContext: Readonly<Record<string, string>>;
  /**
   * What approving a package does: `replace` serves it alone; `challenger` keeps the previous
   * champion as the challenger.
   * @default 'replace'
   */
  readonly promotion?: 'replace' | 'challenger';
  /**
   * Address subscribed to the serving topic.
   * @default - none
   */
  readonly notificationEmail?: string;
}

/**
 * Approval → deploy (stateless, always in the app): approving a model package of the reviews
 * group starts a CodeBuild project that records the package in the champion SSM parameter (the
 * previous champion becomes the challenger with `servingPromotion=challenger`) and runs this app's
 * `cdk deploy <serving stack> --exclusively` from the app's own source, shipped as an asset, with
 * the configuration this stack was deployed with. The project may assume only the CDK bootstrap
 * roles. Also holds the encrypted SNS topic of serving alarms and failed deployments.
 */
export class ModelDeployStack extends Stack {
  /** Serving alarms and failed deployments. */
  public readonly topic: sns.Topic;
  /** The topic as the serving stacks take it: by its exported ARN. */
  public readonly importedTopic: sns.ITopic;
  public readonly championParameterName: string;
  public readonly challengerParameterName: string;
  public readonly deployer: codebuild.Project;
  /** The first family's approval rule. */
  public readonly approvalRule: events.Rule;
  /** Each family's approval rule, by family id. */
  public readonly approvalRules: Readonly<Record<string, events.Rule>>;

  constructor(scope: Construct, id: string, props: ModelDeployStackProps) {
    super(scope, id, { description: 'Practical Data Science platform: approved model package → serving deployment', ...props });
    const { storage, families } = props;
    const prefix = props.namePrefix;
    if (families.length === 0) throw new Error('ModelDeployStack: families is empty; expected at least one family to deploy.');
    const [first] = families;
    this.championParameterName = first.names.championParameterName;
    this.challengerParameterName = first.names.challengerParameterName;
    const what =
      families.length === 1
        ? `${first.names.stackName} when a model package of ${first.modelPackageGroup.modelPackageGroupName} is approved`
        : 'the serving stack of a model family when one of its packages is approved';

    const { key, topic } = encryptedTopic(this, {
      keyId: 'Key',
      topicId: 'Topic',
      keyDescription: `Serving notifications and deployer artifacts of ${prefix}`,
      displayName: `${prefix} serving alarms and deployments`,
      publishers: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'],
      email: props.notificationEmail,
    });
    this.topic = topic;

    const source = new s3assets.Asset(this, 'AppSource', { path: projectRoot(), exclude: APP_SOURCE_PATTERNS, ignoreMode: IgnoreMode.GIT });
    const logGroup = new logs.LogGroup(this, 'DeployerLogs', {
      logGroupName: logGroupName(prefix, 'serving/deployer'),
      encryptionKey: storage.key,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deployer = new codebuild.Project(this, 'Deployer', {
      description: `Deploys ${what}`,
      source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL, privileged: false },
      encryptionKey: key,
      timeout: Duration.hours(2),
      logging: { cloudWatch: { logGroup } },
      environmentVariables: {
        SERVING_STACK: { value: first.names.stackName },
        CHAMPION_PARAMETER: { value: this.championParameterName },
        CHALLENGER_PARAMETER: { value: this.challengerParameterName },
        PROMOTION: { value: props.promotion ?? 'replace' },
        CDK_CONTEXT: { value: JSON.stringify(props.deployerContext) },
      },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: 20 }, commands: ['npm ci --no-audit --no-fund'] },
          build: { commands: ['node --require ts-node/register scripts/deploy-approved.ts'] },
        },
      }),
    });
    const role = this.deployer.role!;
    const parameterArn = (name: string) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ServingParameters',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: families.flatMap((f) => [parameterArn(f.names.championParameterName), parameterArn(f.names.challengerParameterName)]),
      }),
    );
    // Nothing but the CDK bootstrap roles: CloudFormation deploys, as the bootstrap's execution role.
    const qualifier = this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? 'hnb659fds';
    const bootstrapRole = (name: string) => `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${name}-role-${this.account}-${this.region}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: ['deploy', 'file-publishing', 'lookup'].map(bootstrapRole),
      }),
    );
    acknowledgeWildcards(role, [
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
        action,
        reason: 'CodeBuild reads the app source: the asset grant is limited to the one object of the CDK asset bucket.',
      })),
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        action,
        reason: 'The project encrypts its artifacts with the deploy stack\'s own key; the key actions are limited to that key.',
      })),
      {
        resourceMatching: new RegExp(`^arn:${ARN_PART}:codebuild:${ARN_PART}:${ARN_PART}:report-group/<Deployer[0-9A-F]{8}>-\\*$`),
        reason: 'CodeBuild names the test report groups of the project after the project.',
      },
      {
        resourceMatching: new RegExp(`^arn:${ARN_PART}:logs:${ARN_PART}:${ARN_PART}:log-group:/aws/codebuild/<Deployer[0-9A-F]{8}>(:\\*)?$`),
        reason: 'CodeBuild\'s default log group of the project (the project logs to its own encrypted group).',
      },
    ]);
    this.deployer.onBuildFailed('OnDeployFailed', {
      description: `Tells ${prefix}'s serving topic when a deployment of an approved model fails`,
      target: new targets.SnsTopic(this.topic),
    });

    const rules: Record<string, events.Rule> = {};
    for (const [i, family] of families.entries()) {
      const group = family.modelPackageGroup.modelPackageGroupName;
      const variable = (name: string, value: string) => ({ name, type: 'PLAINTEXT', value });
      rules[family.id] = new events.Rule(this, i === 0 ? 'OnApproved' : `OnApproved-${family.id}`, {
        description: `Deploys ${family.names.stackName} when a model package of ${group} is approved`,
        eventPattern: {
          source: ['aws.sagemaker'],
          detailType: ['SageMaker Model Package State Change'],
          detail: { ModelPackageGroupName: [group], ModelApprovalStatus: ['Approved'] },
        },
        targets: [
          new targets.CodeBuildProject(this.deployer, {
            event: events.RuleTargetInput.fromObject({
              environmentVariablesOverride: [
                variable('MODEL_PACKAGE_ARN', events.EventField.fromPath('$.detail.ModelPackageArn')),
                // The first family is the project's default; another names its own stack and parameters.
                ...(i === 0
                  ? []
                  : [
                      variable('SERVING_FAMILY', family.id),
                      variable('SERVING_STACK', family.names.stackName),
                      variable('CHAMPION_PARAMETER', family.names.championParameterName),
                      variable('CHALLENGER_PARAMETER', family.names.challengerParameterName),
                    ]),
              ],
            }),
          }),
        ],
      });
    }
    this.approvalRules = rules;
    this.approvalRule = rules[first.id];

    new CfnOutput(this, 'ChampionParameterName', { value: this.championParameterName });
    new CfnOutput(this, 'ChallengerParameterName', { value: this.challengerParameterName });
    new CfnOutput(this, 'DeployerProjectName', { value: this.deployer.projectName });
    // Exported, so that a serving stack the deployer adds finds it whatever the app served when this
    // stack was deployed (a weak cross-stack reference is an output only while its reader is in the app).
    const topicExport = `${prefix}-serving-topic-arn`;
    new CfnOutput(this, 'ServingTopicArn', { value: this.topic.topicArn, exportName: topicExport });
    this.importedTopic = sns.Topic.fromTopicArn(this, 'ImportedTopic', Fn.importValue(topicExport));
  }
}
