import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * One acknowledged finding of the cdk-nag rule AwsSolutions-IAM5 (wildcard permissions).
 * Name exactly one of `action`, `resource` or `resourceMatching`.
 */
export interface WildcardFinding {
  /** A wildcard action as written in the policy, e.g. `s3:GetObject*`. */
  readonly action?: string;
  /** A wildcard resource as written in the policy (tokens allowed), e.g. `bucket.arnForObjects('raw/*')`. */
  readonly resource?: string;
  /**
   * A pattern over the rendered resource, for resources that constructs outside this project
   * write (e.g. the CDK asset bucket). Anchor it: it acknowledges every resource it matches.
   */
  readonly resourceMatching?: RegExp;
  /** Why the wildcard is needed and why it is safe; a reviewer must be able to check it. */
  readonly reason: string;
}

/**
 * Renders a CloudFormation value as cdk-nag prints it in finding IDs: `Ref`s and `Fn::GetAtt`s
 * become `<Name>` and `<LogicalId.Attribute>`, `Fn::Join` is joined and `${...}` becomes `<...>`.
 */
export function nagRender(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(nagRender).join(delimiter);
  }
  if (node['Fn::Sub']) return nagRender(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${nagRender(resource)}.${nagRender(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return nagRender(node['Fn::ImportValue']);
  if (node.Ref) return `<${nagRender(node.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * Acknowledges exact AwsSolutions-IAM5 findings on one construct (a role, a policy, or a construct
 * that owns them). Resources are matched as rendered at synth time, so the acknowledgement holds
 * for environment-agnostic and pinned stacks alike, and names one resource, never a rule.
 */
export function acknowledgeWildcards(scope: IConstruct, findings: readonly WildcardFinding[]): void {
  for (const finding of findings) {
    if ([finding.action, finding.resource, finding.resourceMatching].filter((x) => x !== undefined).length !== 1) {
      throw new Error('acknowledgeWildcards: name exactly one of action, resource or resourceMatching per finding.');
    }
    if (finding.action !== undefined) {
      Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${finding.action}]`, reason: finding.reason });
    }
  }
  const resourceFindings = findings.filter((f) => f.action === undefined);
  if (resourceFindings.length > 0) {
    // Resources are rendered late, once cross-stack references are resolved (validation runs
    // after that, and before the cdk-nag plugin reads the acknowledgements).
    scope.node.addValidation({
      validate: () => {
        for (const policy of scope.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
          acknowledgeResources(policy, resourceFindings);
        }
        return [];
      },
    });
  }
}

function acknowledgeResources(policy: iam.CfnPolicy, findings: readonly WildcardFinding[]): void {
  const stack = Stack.of(policy);
  const document = stack.resolve(policy.policyDocument) as { Statement?: { Resource?: unknown }[] };
  const rendered = new Set((document.Statement ?? []).flatMap((statement) => [statement.Resource ?? []].flat().map(nagRender)));
  for (const finding of findings) {
    const wanted = finding.resource !== undefined ? nagRender(stack.resolve(finding.resource)) : undefined;
    for (const resource of rendered) {
      if (resource === wanted || finding.resourceMatching?.test(resource)) {
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: finding.reason });
      }
    }
  }
}
