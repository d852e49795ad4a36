import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface StatefulStackProps extends StackProps {
  /** Prefix of the physical names in the stack. */
  readonly namePrefix: string;
  /**
   * What happens to the stack's stateful resources (buckets, keys, feature groups, model package
   * groups) when they leave it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Base of the stacks that hold state (lake, registries): the removal policy their resources take
 * (RETAIN unless told otherwise) and the prefix of their names. Termination protection is the
 * caller's `terminationProtection`.
 */
export abstract class StatefulStack extends Stack {
  /** The removal policy of the stack's stateful resources. */
  protected readonly removalPolicy: RemovalPolicy;
  /** Prefix of the physical names in this stack. */
  protected readonly namePrefix: string;

  protected constructor(scope: Construct, id: string, description: string, props: StatefulStackProps) {
    super(scope, id, { description, ...props });
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.namePrefix = props.namePrefix;
  }
}
