import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Replaces the `DependsOn` of a resource that aws-cdk-lib renders for constructs this project
 * does not own (e.g. the handler of a bucket deployment or of bucket auto-deletion), which list a
 * role that the resource already references with `Fn::GetAtt`. cfn-lint warns on such redundant
 * dependencies (W3005); the template must lint clean. Only what is not already implied is kept.
 *
 * @param resource the rendered resource, or a construct whose default child is one
 * @param dependencies what it must still wait for (e.g. the role's policy); none removes DependsOn
 */
export function dependOnlyOn(resource: IConstruct, dependencies: readonly CfnElement[]): void {
  const cfn = (resource instanceof CfnResource ? resource : resource.node.defaultChild) as CfnResource | undefined;
  if (!(cfn instanceof CfnResource)) {
    throw new Error(`dependOnlyOn: ${resource.node.path} is not a CloudFormation resource.`);
  }
  if (dependencies.length === 0) {
    cfn.addDeletionOverride('DependsOn');
  } else {
    const stack = Stack.of(cfn);
    cfn.addOverride('DependsOn', dependencies.map((d) => stack.resolve(d.logicalId)));
  }
}
