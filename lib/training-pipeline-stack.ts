import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PipelineDefinitionError } from '../pipeline-definitions/dsl';
import { GateName, managedCodeFiles, modelQualityConstraints, modelQualityConstraintsKey, QUALITY_GATES } from '../pipeline-definitions/gates';
import { ManagedImageName } from '../pipeline-definitions/dsl/images';
import { encryptedTopic } from './constructs/encrypted-topic';
import { ImageRegistries } from './constructs/image-registries';
import { IModelPackageGroup } from './constructs/model-package-group';
import { SageMakerPipeline } from './constructs/sagemaker-pipeline';
import { ILakeStorage } from './constructs/data-lake-storage';
import { FeatureGroup } from './constructs/feature-group';
import { logGroupName } from './data-lake-stack';
import { FamilyPipeline, TrainingPipelineOptions } from './model-family';
import { LakePrefix } from './lake-layout';
import { resourceName } from './naming';
import { acknowledgeWildcards } from './nag';
import { projectPath } from './project-paths';
import { stepCodeRelease } from './step-code';

/** The managed service's image each gate runs on with the managed engine. */
const MANAGED_IMAGE_OF: Readonly<Record<GateName, ManagedImageName>> = {
  CheckTrainingHealth: 'debugger',
  CheckDataBias: 'clarify',
  CheckModelBias: 'clarify',
  CheckExplainability: 'clarify',
  CheckDataQuality: 'modelMonitor',
  CheckModelQuality: 'modelMonitor',
};
/** In the order the role lists their repositories. */
const MANAGED_IMAGE_ORDER: readonly ManagedImageName[] = ['debugger', 'clarify', 'modelMonitor'];

export interface TrainingPipelineStackProps extends StackProps, TrainingPipelineOptions {
  /** Prefix of the physical names (the pipeline is `<prefix>-<pipeline id>`). */
  readonly namePrefix: string;
  /** The lake: the pipeline's data, step code and artifacts. */
  readonly storage: ILakeStorage;
  /** The course's reviews feature group (granted to pipelines that ingest into it). */
  readonly reviewsFeatureGroup: FeatureGroup;
  /** Where the pipeline registers its models. */
  readonly modelPackageGroup: IModelPackageGroup;
  /** The pipeline, as its family declares it. */
  readonly pipeline: FamilyPipeline;
}

/**
 * One training pipeline of a model family (stateless), made from what the family declares of it:
 * the SageMaker pipeline and its role (the job kinds, the images and the lake prefixes it
 * declares, its model package group, the managed services' images and grants when the gates run
 * on them), the step-code library and the family's code in the lake, an optional schedule and
 * start on new raw data, and a KMS-encrypted SNS topic that hears about failed executions.
 */
export class TrainingPipelineStack extends Stack {
  public readonly pipeline: sagemaker.CfnPipeline;
  /** The pipeline's id within the stage (its lake prefix is `pipelines/<id>/`). */
  public readonly pipelineId: string;
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  public readonly role: iam.Role;
  public readonly failureTopic: sns.Topic;
  /** Where CloudFormation reads the definition from. */
  public readonly definitionStorage: 'inline' | 's3';
  /** Length of the definition in characters of JSON (deploy-time values as CloudFormation renders them). */
  public readonly definitionChars: number;

  constructor(scope: Construct, id: string, props: TrainingPipelineStackProps) {
    const { storage, reviewsFeatureGroup, modelPackageGroup, pipeline: declared } = props;
    super(scope, id, { description: `Practical Data Science platform: ${declared.description}`, ...props });
    const pipelineId = declared.id;
    this.pipelineId = pipelineId;
    this.pipelineName = resourceName(props.namePrefix, pipelineId, 256);
    const artifactsPrefix = `${LakePrefix.pipelineArtifacts}${pipelineId}/`;

    const images = new ImageRegistries(this, 'ImageRegistries');
    const managed = props.managedQualityServices;
    const gates = declared.gates ?? QUALITY_GATES;
    const managedImages = MANAGED_IMAGE_ORDER.filter((name) => gates.some((gate) => MANAGED_IMAGE_OF[gate] === name));

    if (managed) checkManagedCodeFiles(declared, gates);
    const release = stepCodeRelease(...(declared.codeDir ? [declared.codeDir] : []));
    // 128 bits of the hash name the release; the prefix stays within a bucket deployment's 104 characters.
    const codePrefix = `${artifactsPrefix}code/${release.hash.slice(0, 32)}/`;
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

    // Id `Default` keeps the logical ids of what the first pipeline stack made before the pipeline
    // construct existed (the CDK leaves `Default` out of them): the role, the release upload and
    // its named log group update in place instead of being replaced.
    const pipeline = new SageMakerPipeline(this, 'Default', {
      pipelineName: this.pipelineName,
      description: declared.pipelineDescription,
      role: {
        jobKinds: declared.jobKinds,
        imageRepositories: [
          ...declared.images.map((name) => images.repository(name)),
          ...(managed ? managedImages.map((name) => images.managedRepository(name)) : []),
        ],
        jobKey: storage.key,
        jobsInVpc: props.vpc !== undefined,
      },
      storage,
      code: { sources: codeSources, prefix: codePrefix, logGroupName: logGroupName(props.namePrefix, `pipelines/${pipelineId}/release-upload`) },
      definition: ({ roleArn, codeUri }) =>
        declared.definition({
          pipelineId,
          executionRoleArn: roleArn,
          lakeBucketName: storage.bucket.bucketName,
          kmsKeyArn: storage.key.keyArn,
          codeUri,
          codeVersion: props.codeVersion ?? release.hash,
          s3Uri: (prefix) => storage.s3Uri(prefix),
          image: (name) => {
            // The role pulls exactly the declared images: an undeclared one would fail only on AWS.
            if (!declared.images.includes(name)) {
              throw new PipelineDefinitionError(`Pipeline ${pipelineId}: its definition runs image ${name}, which it does not declare (images: ${declared.images.join(', ') || 'none'}); add it to the pipeline's images so its role may pull it.`);
            }
            return images.image(name);
          },
          managedImage: (name) => {
            if (!managed) throw new PipelineDefinitionError(`Pipeline ${pipelineId}: its definition runs the managed ${name} image without the managed quality engine (qualityEngine=managed).`);
            if (!managedImages.includes(name)) {
              throw new PipelineDefinitionError(`Pipeline ${pipelineId}: its definition runs the managed ${name} image, which none of its gates (${gates.join(', ')}) runs on.`);
            }
            return images.managedImage(name);
          },
          featureGroupName: reviewsFeatureGroup.featureGroupName,
          modelPackageGroupName: modelPackageGroup.modelPackageGroupName,
          options: props,
          gates,
        }),
      definitionStorage: props.definitionStorage,
      schedule: props.schedule,
      startOnNewDataUnder: props.startOnNewData ? declared.lake.rawPrefix : undefined,
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

    for (const prefix of [declared.lake.rawPrefix, ...(declared.lake.reads ?? [])]) storage.grantReadPrefix(this.role, prefix);
    for (const prefix of [...(declared.lake.readsWrites ?? []), artifactsPrefix]) storage.grantReadWritePrefix(this.role, prefix);
    if (declared.ingestsReviews) reviewsFeatureGroup.grantIngest(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'DescribeLakeKey', actions: ['kms:DescribeKey', 'kms:Encrypt'], resources: [storage.key.keyArn] }),
    );
    if (managed && props.explainability && gates.includes('CheckExplainability')) this.grantClarifyShadowEndpoint();
    modelPackageGroup.grantRegister(this.role);
    // The data- and model-quality gates look up the latest approved model's baselines.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindApprovedModel', actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));

    new CfnOutput(this, 'PipelineName', { value: this.pipelineName });
    for (const output of declared.outputs ?? []) {
      new CfnOutput(this, output.id, { value: storage.s3Uri(output.prefix), description: output.description });
    }
    new CfnOutput(this, 'FailureTopicArn', { value: this.failureTopic.topicArn });
  }

  /** Clarify's MODEL_EXPLAINABILITY check serves the created model on a shadow endpoint it names sm-clarify-*. */
  private grantClarifyShadowEndpoint(): void {
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
}

/**
 * The managed engine's Clarify checks read their analysis configurations from the pipeline's code
 * (`clarify/<check>/analysis_config.json`): a declared gate whose file the family's code folder
 * does not hold would fail only on AWS.
 */
function checkManagedCodeFiles(pipeline: FamilyPipeline, gates: readonly GateName[]): void {
  for (const [gate, file] of Object.entries(managedCodeFiles(gates))) {
    if (pipeline.codeDir && fs.existsSync(path.join(pipeline.codeDir, file!))) continue;
    const folder = pipeline.codeDir ? path.relative(projectPath(), pipeline.codeDir) : 'the step-code library alone';
    throw new PipelineDefinitionError(
      `Pipeline ${pipeline.id}: ${gate} runs on Clarify with the managed engine, which reads ${file} of the pipeline's code; ${folder} has none (add it, or leave the gate out).`,
    );
  }
}
