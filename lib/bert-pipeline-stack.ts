import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BERT_PIPELINE_ID, bertSentimentPipeline } from '../pipeline-definitions/bert-sentiment';
import { modelQualityConstraints, modelQualityConstraintsKey } from '../pipeline-definitions/gates';
import { QualityThresholds } from '../pipeline-definitions/catalogue';
import { JobVpc } from '../pipeline-definitions/dsl';
import { encryptedTopic } from './constructs/encrypted-topic';
import { ImageRegistries } from './constructs/image-registries';
import { IModelPackageGroup } from './constructs/model-package-group';
import { DefinitionStorage, SageMakerPipeline } from './constructs/sagemaker-pipeline';
import { ILakeStorage } from './constructs/data-lake-storage';
import { FeatureGroup } from './constructs/feature-group';
import { logGroupName } from './data-lake-stack';
import { LakePrefix } from './lake-layout';
import { resourceName } from './naming';
import { acknowledgeWildcards } from './nag';
import { projectPath } from './project-paths';
import { stepCodeRelease } from './step-code';
import { BertPipelineVariantSetting } from './settings';

/** The BERT pipeline's own step scripts, shipped to the lake beside the step-code library. */
export const BERT_CODE_DIR = projectPath('pipeline-definitions', 'bert_sentiment', 'code');
/** Where the pipeline expects the pre-trained RoBERTa (config, weights, tokenizer). */
export const PRETRAINED_MODEL_PREFIX = `${LakePrefix.models}roberta-base/`;

export interface BertPipelineStackProps extends StackProps {
  /** Prefix of the physical names (the pipeline is `<prefix>-bert-sentiment`). */
  readonly namePrefix: string;
  /** The lake: the pipeline's data, step code and artifacts. */
  readonly storage: ILakeStorage;
  /** The feature group the pipeline ingests the prepared reviews into. */
  readonly reviewsFeatureGroup: FeatureGroup;
  /** Where the pipeline registers its models. */
  readonly modelPackageGroup: IModelPackageGroup;
  /** The quality gates' limits. */
  readonly quality: QualityThresholds;
  /**
   * Run the quality gates on the managed services too (Clarify, Debugger, Model Monitor), for
   * accounts that still have them.
   * @default false
   */
  readonly managedQualityServices?: boolean;
  /**
   * Add the CheckExplainability gate.
   * @default false
   */
  readonly explainability?: boolean;
  /**
   * Version recorded with every registered model.
   * @default - the hash of the step code
   */
  readonly codeVersion?: string;
  /**
   * Train on managed spot instances, resuming from checkpoints.
   * @default false
   */
  readonly spotTraining?: boolean;
  /**
   * Where CloudFormation reads the definition from: `auto` stores it in S3 when it is large.
   * @default 'auto'
   */
  readonly definitionStorage?: DefinitionStorage;
  /**
   * EventBridge schedule that starts the pipeline.
   * @default - started on demand only
   */
  readonly schedule?: string;
  /**
   * Start the pipeline when raw data lands under its raw prefix.
   * @default false
   */
  readonly startOnNewData?: boolean;
  /**
   * Address subscribed to the failure topic.
   * @default - none
   */
  readonly notificationEmail?: string;
  /**
   * Subnets and security groups of the jobs that are not network-isolated.
   * @default - no VPC
   */
  readonly vpc?: JobVpc;
  /**
   * A variant of the course pipeline (`bertPipelineVariants`): pipeline `<prefix>-bert-sentiment-<name>`
   * on its own raw prefix, with its own model package group and transformed table prefix.
   * @default - the course pipeline
   */
  readonly variant?: { readonly name: string } & BertPipelineVariantSetting;
}

/**
 * The BERT review-sentiment pipeline (stateless): the SageMaker pipeline, its role, the step code
 * in the lake, an optional schedule and start on new raw data, and a KMS-encrypted SNS topic that
 * hears about failed executions.
 */
export class BertPipelineStack extends Stack {
  public readonly pipeline: sagemaker.CfnPipeline;
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  public readonly role: iam.Role;
  public readonly failureTopic: sns.Topic;
  /** Where CloudFormation reads the definition from. */
  public readonly definitionStorage: 'inline' | 's3';
  /** Length of the definition in characters of JSON (deploy-time values as CloudFormation renders them). */
  public readonly definitionChars: number;

  constructor(scope: Construct, id: string, props: BertPipelineStackProps) {
    const { storage, reviewsFeatureGroup, variant, modelPackageGroup } = props;
    super(scope, id, {
      description: `Practical Data Science platform: BERT review-sentiment training pipeline${variant ? ` (variant ${variant.name})` : ''}`,
      ...props,
    });
    const pipelineId = variant ? `${BERT_PIPELINE_ID}-${variant.name}` : BERT_PIPELINE_ID;
    const rawPrefix = variant?.inputPrefix ?? LakePrefix.rawReviews;
    const transformedPrefix = variant ? `transformed/reviews-${variant.name}/` : LakePrefix.transformedReviews;
    this.pipelineName = resourceName(props.namePrefix, pipelineId, 256);

    const images = new ImageRegistries(this, 'ImageRegistries');
    const managed = props.managedQualityServices ?? false;

    const release = stepCodeRelease(BERT_CODE_DIR);
    const codeHash = release.hash;
    // 128 bits of the hash name the release; the prefix stays within a bucket deployment's 104 characters.
    const codePrefix = `${LakePrefix.pipelineArtifacts}${pipelineId}/code/${codeHash.slice(0, 32)}/`;
    const { quality } = props;
    const codeSources = [...release.sources];
    if (managed) {
      // The configured model-quality minimums, as the managed check's supplied constraints.
      codeSources.push(s3deploy.Source.jsonData(modelQualityConstraintsKey(quality), modelQualityConstraints(quality)));
    }
    this.failureTopic = encryptedTopic(this, {
      keyId: 'NotificationKey',
      topicId: 'FailureTopic',
      keyDescription: `Pipeline notifications of ${this.pipelineName}`,
      displayName: `${this.pipelineName} failures`,
      publishers: ['events.amazonaws.com'],
      email: props.notificationEmail,
    }).topic;

    // Id `Default` keeps the logical ids of what the stack made before the pipeline construct
    // existed (the CDK leaves `Default` out of them): the role, the release upload and its named
    // log group update in place instead of being replaced.
    const pipeline = new SageMakerPipeline(this, 'Default', {
      pipelineName: this.pipelineName,
      description: 'Course BERT pipeline: features, RoBERTa training, evaluation, accuracy gate, registration',
      role: {
        jobKinds: ['processing-job', 'training-job', 'transform-job', 'model'],
        imageRepositories: [
          images.repository('huggingFaceTraining'),
          images.repository('huggingFaceInference'),
          ...(managed ? (['debugger', 'clarify', 'modelMonitor'] as const).map((name) => images.managedRepository(name)) : []),
        ],
        jobKey: storage.key,
        jobsInVpc: props.vpc !== undefined,
      },
      storage,
      code: { sources: codeSources, prefix: codePrefix, logGroupName: logGroupName(props.namePrefix, `pipelines/${pipelineId}/release-upload`) },
      definition: ({ roleArn, codeUri }) =>
        bertSentimentPipeline({
          pipelineId,
          executionRoleArn: roleArn,
          lakeBucketName: storage.bucket.bucketName,
          kmsKeyArn: storage.key.keyArn,
          inputDataUri: storage.s3Uri(rawPrefix),
          transformedReviewsUri: storage.s3Uri(transformedPrefix),
          pretrainedModelUri: storage.s3Uri(PRETRAINED_MODEL_PREFIX),
          codeUri,
          featureGroupName: reviewsFeatureGroup.featureGroupName,
          modelPackageGroupName: modelPackageGroup.modelPackageGroupName,
          trainingImageUri: images.image('huggingFaceTraining'),
          inferenceImageUri: images.image('huggingFaceInference'),
          codeVersion: props.codeVersion ?? codeHash,
          vpc: props.vpc,
          quality,
          explainability: props.explainability,
          spotTraining: props.spotTraining,
          managedQualityServices: managed,
          debuggerRuleImageUri: managed ? images.managedImage('debugger') : undefined,
          managedImages: managed ? { clarify: images.managedImage('clarify'), modelMonitor: images.managedImage('modelMonitor') } : undefined,
        }),
      definitionStorage: props.definitionStorage,
      schedule: props.schedule,
      startOnNewDataUnder: props.startOnNewData ? rawPrefix : undefined,
      failureTopic: this.failureTopic,
    });
    // The pipeline keeps the logical id it was first deployed with: a new one would replace it,
    // and CloudFormation cannot create a second pipeline of the same name first.
    pipeline.pipeline.overrideLogicalId('Pipeline');
    this.pipeline = pipeline.pipeline;
    this.pipelineArn = pipeline.pipelineArn;
    this.role = pipeline.role;
    this.definitionStorage = pipeline.definitionStorage;
    this.definitionChars = pipeline.definitionChars;

    storage.grantReadPrefix(this.role, rawPrefix);
    storage.grantReadPrefix(this.role, LakePrefix.models);
    storage.grantReadWritePrefix(this.role, transformedPrefix);
    storage.grantReadWritePrefix(this.role, `${LakePrefix.pipelineArtifacts}${pipelineId}/`);
    reviewsFeatureGroup.grantIngest(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'DescribeLakeKey', actions: ['kms:DescribeKey', 'kms:Encrypt'], resources: [storage.key.keyArn] }),
    );
    if (managed && props.explainability) {
      // Clarify's MODEL_EXPLAINABILITY check serves the created model on a shadow endpoint it names sm-clarify-*.
      const shadow = (resource: string) => this.formatArn({ service: 'sagemaker', resource, resourceName: 'sm-clarify-*' });
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ClarifyShadowEndpoint',
          actions: [
            'sagemaker:CreateEndpointConfig',
            'sagemaker:DeleteEndpointConfig',
            'sagemaker:DescribeEndpointConfig',
            'sagemaker:CreateEndpoint',
            'sagemaker:DeleteEndpoint',
            'sagemaker:DescribeEndpoint',
            'sagemaker:InvokeEndpoint',
          ],
          resources: [shadow('endpoint'), shadow('endpoint-config')],
        }),
      );
      acknowledgeWildcards(this.role, [
        { resource: shadow('endpoint'), reason: 'Clarify names its shadow endpoint per check job, always sm-clarify-*.' },
        { resource: shadow('endpoint-config'), reason: 'Clarify names its shadow endpoint configuration per check job, always sm-clarify-*.' },
      ]);
    }
    modelPackageGroup.grantRegister(this.role);
    // The data- and model-quality gates look up the latest approved model's baselines.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindApprovedModel', actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));

    new CfnOutput(this, 'PipelineName', { value: this.pipelineName });
    new CfnOutput(this, 'PretrainedModelUri', {
      value: storage.s3Uri(PRETRAINED_MODEL_PREFIX),
      description: 'Upload roberta-base (config, weights, tokenizer) here before the first run: the jobs have no internet access',
    });
    new CfnOutput(this, 'FailureTopicArn', { value: this.failureTopic.topicArn });
  }
}
