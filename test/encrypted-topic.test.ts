import { Match } from 'aws-cdk-lib/assertions';
import { encryptedTopic, EncryptedTopicProps } from '../lib/constructs/encrypted-topic';
import { nagFindings, templateOf, testStack } from './helpers';

function topicStack(props: Partial<EncryptedTopicProps> = {}) {
  const stack = testStack();
  const made = encryptedTopic(stack, {
    keyId: 'NotificationKey',
    topicId: 'FailureTopic',
    keyDescription: 'Pipeline notifications of pds-test-bert',
    displayName: 'pds-test-bert failures',
    publishers: ['events.amazonaws.com'],
    ...props,
  });
  return { stack, ...made };
}

describe('encryptedTopic', () => {
  test('a key of its own with rotation, deleted with the stack after 7 days', () => {
    const template = templateOf(topicStack().stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { Description: 'Pipeline notifications of pds-test-bert', EnableKeyRotation: true, PendingWindowInDays: 7 },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('the key and topic keep the ids given, in the scope given', () => {
    const { stack, key, topic } = topicStack();
    expect(key.node.path).toBe('TestStack/NotificationKey');
    expect(topic.node.path).toBe('TestStack/FailureTopic');
    const template = templateOf(stack);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([expect.stringMatching(/^NotificationKey[0-9A-F]{8}$/)]);
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toEqual([expect.stringMatching(/^FailureTopic[0-9A-F]{8}$/)]);
  });

  test('the topic: encrypted with that key, under its display name, TLS only', () => {
    const template = templateOf(topicStack().stack);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'pds-test-bert failures',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^FailureTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('each publisher may use the key to decrypt and generate data keys, and nothing more', () => {
    const template = templateOf(topicStack({ publishers: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] }).stack);
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    const serviceStatements = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal.Service);
    expect(serviceStatements).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: expect.arrayContaining(['events.amazonaws.com', 'cloudwatch.amazonaws.com']) },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
    ]);
    expect(serviceStatements[0].Principal.Service).toHaveLength(2);
  });

  test('no publishers: only the account may use the key', () => {
    const template = templateOf(topicStack({ publishers: [] }).stack);
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    expect(key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal.Service)).toEqual([]);
  });

  test('an e-mail subscription only when an address is given', () => {
    templateOf(topicStack().stack).resourceCountIs('AWS::SNS::Subscription', 0);
    const template = templateOf(topicStack({ email: 'team@example.com' }).stack);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^FailureTopic') },
    });
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    const { stack } = topicStack({ publishers: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'], email: 'team@example.com' });
    expect(nagFindings(stack)).toEqual([]);
  });
});
