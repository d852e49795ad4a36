import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface FunctionRoleProps {
  /** Name of the function's log group. */
  readonly logGroupName: string;
  /**
   * Key of the log group; its policy must let CloudWatch Logs use it for that name.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKey?: kms.IKey;
  /** What the function does, for the role's description. */
  readonly description: string;
  /**
   * Prefix of the two constructs' ids (`<prefix>Logs`, `<prefix>Role`).
   * @default - none: `Logs` and `Role`
   */
  readonly idPrefix?: string;
}

/**
 * A Lambda function's own log group (kept a month, deleted with its stack: logs of a function, not
 * data) and its own role, which may write that log group and nothing else until granted: no AWS
 * managed policy.
 */
export function functionRole(scope: Construct, props: FunctionRoleProps): { readonly role: iam.Role; readonly logGroup: logs.LogGroup } {
  const prefix = props.idPrefix ?? '';
  const logGroup = new logs.LogGroup(scope, `${prefix}Logs`, {
    logGroupName: props.logGroupName,
    retention: logs.RetentionDays.ONE_MONTH,
    encryptionKey: props.logKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${prefix}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  return { role, logGroup };
}
