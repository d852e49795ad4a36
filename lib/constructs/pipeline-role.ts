import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';
import { grantImagePull, ImageRepository } from './image-registries';

/** The SageMaker job kinds a pipeline's steps create. */
export type PipelineJobKind = 'processing-job' | 'training-job' | 'transform-job' | 'model' | 'hyper-parameter-tuning-job' | 'automl-job';

const JOB_ACTIONS: Record<PipelineJobKind, string[]> = {
  'processing-job': ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob'],
  'training-job': ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
  'transform-job': ['sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob'],
  model: ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel'],
  'hyper-parameter-tuning-job': [
    'sagemaker:CreateHyperParameterTuningJob',
    'sagemaker:DescribeHyperParameterTuningJob',
    'sagemaker:StopHyperParameterTuningJob',
    'sagemaker:ListTrainingJobsForHyperParameterTuningJob',
  ],
  // A pipeline's AutoML step is Autopilot's v1 job (CreateAutoMLJob); its properties are DescribeAutoMLJob's.
  'automl-job': ['sagemaker:CreateAutoMLJob', 'sagemaker:DescribeAutoMLJob', 'sagemaker:StopAutoMLJob'],
};

export interface PipelineRoleProps {
  /** Pipeline name: the role may create only jobs of the kinds given, and pass only itself. */
  readonly pipelineName: string;
  /** The kinds of jobs the pipeline's steps create. */
  readonly jobKinds: readonly PipelineJobKind[];
  /**
   * ECR repositories (as `<account>/<repository>`) the jobs pull images from.
   */
  readonly imageRepositories: readonly ImageRepository[];
  /**
   * The key of the jobs' volumes and outputs (`VolumeKmsKeyId`, `KmsKeyId`): SageMaker creates
   * grants on it as this role. Its owner grants the use of the data it protects.
   * @default - the jobs use no customer-managed key
   */
  readonly jobKey?: kms.IKey;
  /**
   * The jobs run in subnets of a VPC: SageMaker creates and removes their network interfaces as
   * this role.
   * @default false
   */
  readonly jobsInVpc?: boolean;
}

/**
 * The role of a SageMaker pipeline and of the jobs it starts: no AWS managed policies. It creates
 * and watches the jobs of its step kinds (the pipeline names them, so their ARNs are wildcards),
 * passes only itself and only to SageMaker, pulls the images it names, writes the jobs' logs and
 * metrics. Data, keys, feature groups and model package groups are granted by their owners.
 */
export class PipelineRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker pipeline ${props.pipelineName} and the jobs it starts`,
    });
    const jobArns = props.jobKinds.map((kind) => stack.formatArn({ service: 'sagemaker', resource: kind, resourceName: '*' }));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PipelineJobs',
        actions: [...props.jobKinds.flatMap((kind) => JOB_ACTIONS[kind]), 'sagemaker:AddTags'],
        resources: jobArns,
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassOnlyThisRoleToSageMaker',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    grantImagePull(this.role, props.imageRepositories);
    const jobLogs = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'JobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [jobLogs],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'JobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
      }),
    );
    if (props.jobKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'JobVolumeAndOutputEncryption',
          actions: ['kms:CreateGrant'],
          resources: [props.jobKey.keyArn],
          conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      );
    }
    if (props.jobsInVpc) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'JobNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:CreateNetworkInterfacePermission',
            'ec2:DeleteNetworkInterface',
            'ec2:DeleteNetworkInterfacePermission',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeVpcs',
            'ec2:DescribeSubnets',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeDhcpOptions',
          ],
          resources: ['*'],
        }),
      );
    }
    acknowledgeWildcards(this.role, [
      ...jobArns.map((resource) => ({
        resource,
        reason: `SageMaker Pipelines names the jobs of ${props.pipelineName} per execution; the actions are limited to creating, describing and stopping them.`,
      })),
      {
        resource: jobLogs,
        reason: 'SageMaker names the job log groups and streams itself, all under /aws/sagemaker/.',
      },
      {
        resource: '*',
        reason:
          'Actions without resource types: ecr:GetAuthorizationToken and sagemaker:ListModelPackages; ' +
          'cloudwatch:PutMetricData is limited to the SageMaker namespaces by condition' +
          (props.jobsInVpc
            ? '; SageMaker manages the network interfaces of jobs in the configured subnets, and EC2 describe calls and interface creation take no narrower resource.'
            : '.'),
      },
    ]);
  }
}
