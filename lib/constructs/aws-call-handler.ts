import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { dependOnlyOn } from '../template-hygiene';

/** The id aws-cdk-lib gives a stack's AwsCustomResource handler (a singleton of the stack). */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * The stack's AwsCustomResource handler, once one of its resources exists, with no redundant
 * DependsOn: its function already references its role (cfn-lint W3005).
 */
export function awsCallHandler(scope: IConstruct): IConstruct | undefined {
  const handler = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
  if (handler) dependOnlyOn(handler.node.findChild('Resource'), []);
  return handler;
}

/**
 * Tidies the stack's AwsCustomResource handler ({@link awsCallHandler}) when it runs with its
 * default role: the basic execution policy is acknowledged, with what the handler does (`does`).
 */
export function tidyAwsCallHandler(scope: IConstruct, does: string): void {
  const handler = awsCallHandler(scope);
  if (!handler) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: `The custom resource handler that ${does} writes only its own logs with the basic execution policy.`,
  });
}
