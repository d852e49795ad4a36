import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An EventBridge target that starts a SageMaker pipeline with its default parameters, through a
 * role (one per stack and target) that may start only that pipeline.
 */
export class PipelineStart implements events.IRuleTarget {
  private role?: iam.Role;

  /** @param pipelineArn the pipeline the rule starts */
  constructor(private readonly pipelineArn: string) {}

  public bind(rule: events.IRule): events.RuleTargetConfig {
    if (!this.role) {
      const stack = Stack.of(rule);
      this.role = new iam.Role(stack, 'PipelineStartRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: 'EventBridge starts the pipeline',
      });
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [this.pipelineArn] }),
      );
    }
    return { arn: this.pipelineArn, role: this.role };
  }
}
