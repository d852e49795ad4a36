import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface EncryptedTopicProps {
  /** Ids of the key and the topic in the scope (kept as they are, so templates keep their logical ids). */
  readonly keyId: string;
  readonly topicId: string;
  readonly keyDescription: string;
  readonly displayName: string;
  /** Services that publish to the topic (e.g. `events.amazonaws.com`): they may use the key. */
  readonly publishers: readonly string[];
  /** An address subscribed to the topic. @default - none */
  readonly email?: string;
}

/**
 * A notification topic encrypted with a key of its own (rotation on; stateless, so deleted with the
 * stack after 7 days), TLS only, that the given services may publish to, with an optional e-mail
 * subscription. Made in the given scope, so the key and topic keep the ids their stacks gave them.
 */
export function encryptedTopic(scope: Construct, props: EncryptedTopicProps): { readonly key: kms.Key; readonly topic: sns.Topic } {
  const key = new kms.Key(scope, props.keyId, {
    description: props.keyDescription,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  for (const service of props.publishers) {
    key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey');
  }
  const topic = new sns.Topic(scope, props.topicId, { displayName: props.displayName, masterKey: key, enforceSSL: true });
  if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  return { key, topic };
}
