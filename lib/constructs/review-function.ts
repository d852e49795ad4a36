import { CfnElement, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { projectPath } from '../project-paths';
import { dependOnlyOn } from '../template-hygiene';
import { functionRole } from './function-role';

/** The functions' entry points, beside their runtime code. */
export const REVIEW_HANDLERS_DIR = projectPath('lib', 'human-review', 'runtime', 'handlers');

export interface ReviewFunctionProps {
  /** The handler file under lib/human-review/runtime/handlers, without `.ts` (`prediction`, `review`, `retry`). */
  readonly handler: string;
  readonly description: string;
  /** Name of its log group (under the platform's `/<prefix>/`, which the lake key may encrypt). */
  readonly logGroupName: string;
  readonly logKey: kms.IKey;
  readonly environment: Readonly<Record<string, string>>;
  /** @default Duration.seconds(28): inside API Gateway's 29 seconds */
  readonly timeout?: Duration;
  /**
   * Lambda's own retries of a failed asynchronous invocation.
   * @default 2
   */
  readonly retryAttempts?: number;
}

/**
 * One TypeScript function of human review: bundled by the locally installed esbuild (no Docker),
 * the AWS SDK inside the bundle so the code runs with the SDK versions it was tested with, a role
 * of its own that may write its log group and nothing else until granted, and an encrypted log
 * group kept a month.
 */
export class ReviewFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ReviewFunctionProps) {
    super(scope, id);
    ({ role: this.role, logGroup: this.logGroup } = functionRole(this, { logGroupName: props.logGroupName, logKey: props.logKey, description: props.description }));
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: `${REVIEW_HANDLERS_DIR}/${props.handler}.ts`,
      handler: 'handler',
      runtime: lambda.determineLatestNodeRuntime(this),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(28),
      retryAttempts: props.retryAttempts,
      role: this.role,
      logGroup: this.logGroup,
      description: props.description,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      depsLockFilePath: projectPath('package-lock.json'),
      projectRoot: projectPath(),
      bundling: { minify: true, sourceMap: true, bundleAwsSDK: true, forceDockerBundling: false, externalModules: [] },
    });
    // The function names the role already; it need only wait for the role's policy.
    dependOnlyOn(this.function, [this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement]);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The runtime is the one aws-cdk-lib names as the latest Node.js available in every region (determineLatestNodeRuntime).',
    });
  }
}
