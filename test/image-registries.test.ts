import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { grantImagePull, ImageRegistries } from '../lib/constructs/image-registries';
import { acknowledgeWildcards } from '../lib/nag';
import {
  CLARIFY_ACCOUNTS,
  DEBUGGER_RULE_ACCOUNTS,
  dlcAccount,
  FRAMEWORK_IMAGES,
  imageUri,
  IMAGES,
  KNOWN_REGIONS,
  MANAGED_IMAGES,
  MODEL_MONITOR_ACCOUNTS,
} from '../pipeline-definitions/dsl/images';
import { nagFindings, templateOf, testStack } from './helpers';

const findInMap = (registry: string) => ({ 'Fn::FindInMap': ['ImageRegistries', { Ref: 'AWS::Region' }, registry] });

/** The stack's images, as the BERT pipeline and serving stacks read them, with a SageMaker role granted their pull. */
function registriesStack(acknowledgeLogin = true) {
  const stack = testStack();
  const images = new ImageRegistries(stack, 'ImageRegistries');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  grantImagePull(role, [images.repository('huggingFaceTraining'), images.managedRepository('modelMonitor')]);
  if (acknowledgeLogin) acknowledgeWildcards(role, [{ resource: '*', reason: 'ecr:GetAuthorizationToken takes no resource.' }]);
  return { stack, images, role };
}

describe('ImageRegistries', () => {
  test('one mapping named ImageRegistries: every known region to its DLC and managed-service accounts, `none` where a service is missing', () => {
    const mappings = templateOf(registriesStack().stack).toJSON().Mappings;
    expect(Object.keys(mappings)).toEqual(['ImageRegistries']);
    const mapping = mappings.ImageRegistries;
    expect(Object.keys(mapping).sort()).toEqual([...KNOWN_REGIONS].sort());
    for (const region of KNOWN_REGIONS) {
      expect(mapping[region]).toEqual({
        dlc: dlcAccount(region),
        debugger: DEBUGGER_RULE_ACCOUNTS[region] ?? 'none',
        clarify: CLARIFY_ACCOUNTS[region] ?? 'none',
        modelmonitor: MODEL_MONITOR_ACCOUNTS[region] ?? 'none',
      });
    }
    expect(mapping['us-east-1'].dlc).toBe('763104351884');
    expect(mapping['af-south-1'].dlc).toBe('626614931356');
    expect(Object.values(mapping).some((accounts: any) => accounts.modelmonitor === 'none')).toBe(true);
  });

  test('the mapping is left out of a stack that reads no account', () => {
    const stack = testStack();
    new ImageRegistries(stack, 'ImageRegistries');
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    expect(templateOf(stack).toJSON().Mappings).toBeUndefined();
  });

  test('image URIs read the account of the stack\'s region at deploy time (environment-agnostic)', () => {
    const { stack, images } = registriesStack();
    const { repository, tag } = IMAGES.huggingFaceInference;
    expect(stack.resolve(images.image('huggingFaceInference'))).toEqual({
      'Fn::Join': ['', [findInMap('dlc'), '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${repository}:${tag}`]],
    });
    const monitor = MANAGED_IMAGES.modelMonitor;
    expect(stack.resolve(images.managedImage('modelMonitor'))).toEqual({
      'Fn::Join': ['', [findInMap('modelmonitor'), '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${monitor.repository}:${monitor.tag}`]],
    });
    expect(stack.resolve(images.account('debugger'))).toEqual(findInMap('debugger'));
    expect(stack.resolve(images.managedRepository('clarify'))).toEqual({ account: findInMap('clarify'), repository: MANAGED_IMAGES.clarify.repository });
    expect(stack.resolve(images.repository('huggingFaceTraining'))).toEqual({ account: findInMap('dlc'), repository: IMAGES.huggingFaceTraining.repository });
  });

  test('a framework image (scikit-learn) reads a column of its own, added when first read: its accounts, `none` where it has no registry', () => {
    const { stack, images } = registriesStack();
    const { repository, tag } = FRAMEWORK_IMAGES.sklearn;
    expect(stack.resolve(images.image('sklearn'))).toEqual({
      'Fn::Join': ['', [findInMap('sklearn'), '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${repository}:${tag}`]],
    });
    expect(stack.resolve(images.repository('sklearn'))).toEqual({ account: findInMap('sklearn'), repository });
    const mapping = templateOf(stack).toJSON().Mappings.ImageRegistries;
    expect(mapping['us-east-1'].sklearn).toBe('683313688378');
    expect(mapping['il-central-1'].sklearn).toBe('none');
    expect(Object.keys(mapping['us-east-1'])).toEqual(['dlc', 'debugger', 'clarify', 'modelmonitor', 'sklearn']);
    expect(imageUri('sklearn', 'eu-west-1')).toBe(`141502667606.dkr.ecr.eu-west-1.amazonaws.com/${repository}:${tag}`);
    expect(() => imageUri('sklearn', 'il-central-1')).toThrow('Image sklearn has no registry in region il-central-1.');
  });
});

describe('grantImagePull', () => {
  test('pulls from the given repositories only, and logs in to ECR', () => {
    const template = templateOf(registriesStack().stack);
    const repositoryArn = (registry: string, repository: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', findInMap(registry), `:repository/${repository}`]],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Role') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'PullImages',
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: [
              repositoryArn('dlc', IMAGES.huggingFaceTraining.repository),
              repositoryArn('modelmonitor', MANAGED_IMAGES.modelMonitor.repository),
            ],
          },
          { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('no repositories: no pull and no login', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    grantImagePull(role, []);
    templateOf(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(registriesStack().stack)).toEqual([]);
  });

  test('the login\'s `*` is the grantee\'s to acknowledge: unacknowledged, cdk-nag finds exactly it', () => {
    expect(nagFindings(registriesStack(false).stack)).toEqual(['AwsSolutions-IAM5[Resource::*] TestStack/Role/DefaultPolicy/Resource']);
  });
});
