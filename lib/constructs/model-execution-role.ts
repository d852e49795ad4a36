import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';
import { grantImagePull, ImageRepository } from './image-registries';

export interface ModelExecutionRoleProps {
  /** The endpoint whose containers run as this role (its log groups). */
  readonly endpointName: string;
  /**
   * The ECR repositories of the serving images: one container's, or those of the containers of a
   * serial inference pipeline (`account` may be a token).
   */
  readonly imageRepositories: readonly ImageRepository[];
}

/**
 * The execution role of an endpoint's models, with no AWS managed policy: it pulls the serving
 * images, writes the endpoint's logs and SageMaker's metrics. Model artifacts, the capture folder
 * and keys are granted by their owners.
 */
export class ModelExecutionRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ModelExecutionRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Models of the endpoint ${props.endpointName}`,
    });
    if (props.imageRepositories.length === 0) {
      throw new Error('ModelExecutionRole: imageRepositories is empty; expected the repository of every serving container.');
    }
    grantImagePull(this.role, props.imageRepositories);
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/sagemaker/Endpoints/${props.endpointName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroups],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*', 'AWS/SageMaker'] } },
      }),
    );
    acknowledgeWildcards(this.role, [
      { resource: logGroups, reason: `The log streams of the endpoint ${props.endpointName}, named by SageMaker per instance.` },
      { resource: '*', reason: 'ecr:GetAuthorizationToken takes no resource; cloudwatch:PutMetricData is limited to the SageMaker namespaces by condition.' },
    ]);
  }
}
