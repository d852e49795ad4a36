import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';

export interface StatefulStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/**
 * Base of the stacks that hold state (lake, registries): termination protection in prod, and the
 * removal policy their resources take — RETAIN, unless dev's `destroyOnRemoval` asks for DESTROY.
 */
export abstract class StatefulStack extends Stack {
  /** RETAIN, or DESTROY in dev with `destroyOnRemoval`. */
  protected readonly removalPolicy: RemovalPolicy;
  /** Prefix of the physical names in this stack. */
  protected readonly namePrefix: string;

  protected constructor(scope: Construct, id: string, description: string, props: StatefulStackProps) {
    super(scope, id, { description, terminationProtection: props.config.stage === 'prod', ...props });
    this.removalPolicy = props.config.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.namePrefix = props.config.namePrefix;
  }
}
