import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The start roles of each stack, by target: one role per stack and pipeline. */
const START_ROLES = new WeakMap<Stack, Map<PipelineStart, iam.Role>>();

/**
 * An EventBridge target that starts a SageMaker pipeline with its default parameters, through a
 * role (one per stack and target, shared by the target's rules in that stack) that may start only
 * that pipeline.
 */
export class PipelineStart implements events.IRuleTarget {
  /** @param pipelineArn the pipeline the rule starts */
  constructor(private readonly pipelineArn: string) {}

  public bind(rule: events.IRule): events.RuleTargetConfig {
    const stack = Stack.of(rule);
    let roles = START_ROLES.get(stack);
    if (!roles) START_ROLES.set(stack, (roles = new Map()));
    let role = roles.get(this);
    if (!role) {
      // The first keeps the id the stacks have deployed with; the others are numbered.
      role = new iam.Role(stack, roles.size === 0 ? 'PipelineStartRole' : `PipelineStartRole${roles.size + 1}`, {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: 'EventBridge starts the pipeline',
      });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [this.pipelineArn] }));
      roles.set(this, role);
    }
    return { arn: this.pipelineArn, role };
  }
}
