import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcards, WildcardFinding } from '../nag';
import { dependOnlyOn } from '../template-hygiene';

export interface BucketDeploymentFindingsProps {
  /** What the deployment copies where, for the reasons. */
  readonly purpose: string;
  /** The objects it may write (`bucket.arnForObjects('*')`), and why that is safe. */
  readonly destination: { readonly objects: string; readonly reason: string };
  /** Findings of this deployment's own (its key's actions, CloudFront invalidation …). */
  readonly more?: readonly WildcardFinding[];
}

/**
 * The cdk-nag findings a CDK `BucketDeployment` brings with the role given to it (the wildcards
 * its grants write) and with the stack's shared handler (its runtime, which aws-cdk-lib chooses),
 * acknowledged with reasons; the handler waits only for the role's policy (its redundant
 * `DependsOn` on the role would fail cfn-lint).
 */
export function acknowledgeBucketDeployment(role: iam.Role, props: BucketDeploymentFindingsProps): void {
  const reason = `Granted by the CDK BucketDeployment construct, whose handler ${props.purpose} during deployments of this stack.`;
  acknowledgeWildcards(role, [
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({ action, reason })),
    { resourceMatching: /^arn:(aws[a-z-]*|<AWS::Partition>):s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*$/, reason: `${reason} This is the CDK bootstrap asset bucket that holds the files' zip.` },
    { resource: props.destination.objects, reason: `${reason} ${props.destination.reason}` },
    ...(props.more ?? []).map((finding) => ({ ...finding, reason: `${reason} ${finding.reason}` })),
  ]);
  const stack = Stack.of(role);
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement;
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
      Validations.of(child).acknowledge({ id: 'AwsSolutions-L1', reason: "The BucketDeployment handler's runtime is chosen and updated by aws-cdk-lib, not by this project." });
      dependOnlyOn(child, [policy]);
    }
  }
}
