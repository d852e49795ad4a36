import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag prints a reference to a resource attribute in an IAM finding, e.g.
 * `<StorageBucket5CB7C8EA.Arn>`, so that an acknowledgement can name the exact resource rather
 * than a pattern.
 *
 * @param resource an L1 resource, or an L2 construct whose default child is one
 */
export function nagRef(resource: IConstruct, attribute = 'Arn'): string {
  const element = (CfnElement.isCfnElement(resource) ? resource : resource.node.defaultChild) as CfnElement | undefined;
  if (!element || !CfnElement.isCfnElement(element)) {
    throw new Error(`nagRef: ${resource.node.path} is not a CloudFormation resource and has none as its default child.`);
  }
  return `<${Stack.of(element).resolve(element.logicalId)}.${attribute}>`;
}

/** One acknowledged finding of the AwsSolutions-IAM5 rule (wildcard permissions). */
export interface WildcardFinding {
  /** The action or resource as cdk-nag prints it, e.g. `Action::s3:GetObject*`. */
  readonly finding: string;
  /** Why the wildcard is needed and why it is safe; a reviewer must be able to check it. */
  readonly reason: string;
}

/** Acknowledges exact AwsSolutions-IAM5 findings on one construct (usually a role or policy). */
export function acknowledgeWildcards(scope: IConstruct, findings: readonly WildcardFinding[]): void {
  for (const { finding, reason } of findings) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
