import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { GetCrawlerCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeFeatureGroupCommand, ListModelPackagesCommand, ListPipelineExecutionsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as path from 'path';
import { bertSentimentFamily } from '../pipeline-definitions/families/bert-sentiment/family';
import { main } from '../scripts/doctor/doctor';

const cloudformation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const sagemaker = mockClient(SageMakerClient);
const clients = () => ({
  cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  glue: new GlueClient({ region: 'us-east-1' }),
  sagemaker: new SageMakerClient({ region: 'us-east-1' }),
});

const BUCKET = 'pds-dev-data-lake-storagebucket5cb7c8ea';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment';
const ROBERTA = bertSentimentFamily().pretrainedModel!;
const OUTPUTS: Record<string, Record<string, string>> = {
  'pds-dev-data-lake': {
    LakeBucketName: BUCKET,
    LakeKeyArn: KEY,
    RawReviewsUri: `s3://${BUCKET}/raw/womens-clothing-reviews/`,
    CrawlerName: 'pds-dev-raw-reviews',
  },
  'pds-dev-ml-registry': { ReviewsFeatureGroupName: 'pds-dev-reviews' },
  'pds-dev-bert-pipeline': { PipelineName: 'pds-dev-bert-sentiment' },
  'pds-dev-bert-tuning-pipeline': { PipelineName: 'pds-dev-bert-sentiment-tuning' },
  'pds-dev-blazingtext-pipeline': { PipelineName: 'pds-dev-blazingtext-sentiment' },
  'pds-dev-autopilot-pipeline': { PipelineName: 'pds-dev-autopilot-sentiment' },
  'pds-dev-model-deploy': {},
};

const notFound = (name: string, text: string) => Object.assign(new Error(text), { name });

/** A platform as `cdk deploy --all` leaves it, and what a test changes of it. */
function deployed(changes: { stacks?: Record<string, Partial<Stack> | 'absent'>; seeded?: Record<string, string> } = {}) {
  cloudformation.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => {
    const change = changes.stacks?.[StackName];
    if (change === 'absent' || !(StackName in OUTPUTS)) throw notFound('ValidationError', `Stack with id ${StackName} does not exist`);
    const outputs = Object.entries(OUTPUTS[StackName]).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
    return { Stacks: [{ StackName, StackStatus: 'CREATE_COMPLETE', Outputs: outputs, ...change }] };
  });
  s3.on(HeadObjectCommand).callsFake(({ Key }: { Key: string }) => {
    const file = Key.slice(ROBERTA.lakePrefix.length);
    if (!changes.seeded || !(file in changes.seeded)) throw notFound('NotFound', 'NotFound');
    return { Metadata: { 'source-revision': changes.seeded[file] } };
  });
  s3.on(ListObjectsV2Command).resolves({ Contents: [1, 2, 3, 4].map((n) => ({ Key: `raw/womens-clothing-reviews/womens_clothing_ecommerce_reviews-part-${n}.csv` })) });
  glue.on(GetCrawlerCommand).resolves({ Crawler: { Name: 'pds-dev-raw-reviews', State: 'READY' } });
  sagemaker.on(DescribeFeatureGroupCommand).resolves({ FeatureGroupName: 'pds-dev-reviews', FeatureGroupStatus: 'Created' });
  sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
  sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
  sagemaker.on(DescribeEndpointCommand).rejects(notFound('ValidationException', 'Could not find endpoint "pds-dev-bert-sentiment".'));
}

const all = (files: readonly string[], revision: string) => Object.fromEntries(files.map((f) => [f, revision]));

async function run(argv: string[] = []): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
    err += String(text);
    return true;
  });
  try {
    const code = await main(argv, clients(), (text) => (out += text));
    return { code, out, err };
  } finally {
    stderr.mockRestore();
  }
}

beforeEach(() => {
  for (const mock of [cloudformation, s3, glue, sagemaker]) mock.reset();
});

describe('npm run doctor', () => {
  test("right after cdk deploy --all: what is missing, each with the command that fixes it (README's example)", async () => {
    deployed();
    const { code, out } = await run();
    expect(code).toBe(1);
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    const example = /<!-- doctor-example:start[^>]*-->\n```text\n\$ npm run doctor\n([\s\S]*?)```\n<!-- doctor-example:end -->/.exec(readme);
    expect(example?.[1]).toBe(out);
    expect(out).toBe(
      [
        'ready    stack pds-dev-data-lake: CREATE_COMPLETE',
        'ready    stack pds-dev-ml-registry: CREATE_COMPLETE',
        'ready    stack pds-dev-bert-pipeline: CREATE_COMPLETE',
        'ready    stack pds-dev-bert-tuning-pipeline: CREATE_COMPLETE',
        'ready    stack pds-dev-blazingtext-pipeline: CREATE_COMPLETE',
        'ready    stack pds-dev-autopilot-pipeline: CREATE_COMPLETE',
        'ready    stack pds-dev-model-deploy: CREATE_COMPLETE',
        `missing  pre-trained model FacebookAI/roberta-base (bert-sentiment): s3://${BUCKET}/models/roberta-base/ lacks ${ROBERTA.files.join(', ')}`,
        '         fix: npm run seed-model',
        `ready    raw reviews: 4 CSV files under s3://${BUCKET}/raw/womens-clothing-reviews/`,
        'missing  Glue crawler pds-dev-raw-reviews: has never run',
        '         fix: aws glue start-crawler --name pds-dev-raw-reviews',
        'ready    feature group pds-dev-reviews: Created',
        'missing  pipeline pds-dev-bert-sentiment: has never run',
        '         fix: aws sagemaker start-pipeline-execution --pipeline-name pds-dev-bert-sentiment',
        'missing  pipeline pds-dev-bert-sentiment-tuning: has never run',
        '         fix: aws sagemaker start-pipeline-execution --pipeline-name pds-dev-bert-sentiment-tuning',
        'missing  approved model packages of pds-dev-bert-sentiment: none registered yet: a successful pipeline execution registers one',
        '         fix: run the pipeline (above)',
        'missing  endpoint pds-dev-bert-sentiment: not served: no approved model package yet',
        '         fix: approve a package (above); the approval deploys it',
        'missing  pipeline pds-dev-blazingtext-sentiment: has never run',
        '         fix: aws sagemaker start-pipeline-execution --pipeline-name pds-dev-blazingtext-sentiment',
        'missing  approved model packages of pds-dev-blazingtext-sentiment: none registered yet: a successful pipeline execution registers one',
        '         fix: run the pipeline (above)',
        'missing  endpoint pds-dev-blazingtext-sentiment: not served: no approved model package yet',
        '         fix: approve a package (above); the approval deploys it',
        'missing  pipeline pds-dev-autopilot-sentiment: has never run',
        '         fix: aws sagemaker start-pipeline-execution --pipeline-name pds-dev-autopilot-sentiment',
        'missing  approved model packages of pds-dev-autopilot-sentiment: none registered yet: a successful pipeline execution registers one',
        '         fix: run the pipeline (above)',
        'missing  endpoint pds-dev-autopilot-sentiment: not served: no approved model package yet',
        '         fix: approve a package (above); the approval deploys it',
        '',
        '9 ready, 0 running, 12 missing, 0 failed',
        '',
      ].join('\n'),
    );
  });

  test('everything ready: exit 0', async () => {
    deployed({ seeded: all(ROBERTA.files, ROBERTA.revision) });
    glue.on(GetCrawlerCommand).resolves({ Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED', StartTime: new Date('2026-12-01T10:00:00Z') } } });
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [{ PipelineExecutionStatus: 'Succeeded', StartTime: new Date('2026-12-01T11:00:00Z') }] });
    sagemaker.on(ListModelPackagesCommand, { ModelApprovalStatus: 'Approved' }).resolves({ ModelPackageSummaryList: [{ ModelPackageArn: `${PACKAGE}/2` } as never] });
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'pds-dev-bert-sentiment', EndpointStatus: 'InService' } as never);
    const { code, out } = await run();
    expect(out).toContain('ready    Glue crawler pds-dev-raw-reviews: last run succeeded (2026-12-01T10:00:00.000Z)');
    expect(out).toContain('ready    pipeline pds-dev-bert-sentiment: last execution succeeded (started 2026-12-01T11:00:00.000Z)');
    expect(out).toContain(`ready    approved model packages of pds-dev-bert-sentiment: latest ${PACKAGE}/2`);
    expect(out).toContain('ready    pre-trained model FacebookAI/roberta-base (bert-sentiment): s3://');
    expect(out).toContain('21 ready, 0 running, 0 missing, 0 failed');
    expect(code).toBe(0);
  });

  test('what failed, what runs, what awaits approval, a model seeded at another commit', async () => {
    const seeded: Record<string, string> = { ...all(ROBERTA.files, ROBERTA.revision), 'config.json': 'f'.repeat(40) };
    delete seeded['vocab.json'];
    deployed({ stacks: { 'pds-dev-model-deploy': { StackStatus: 'UPDATE_ROLLBACK_COMPLETE', StackStatusReason: 'Resource Deployer failed' } }, seeded });
    s3.on(ListObjectsV2Command).resolves({});
    glue.on(GetCrawlerCommand).resolves({ Crawler: { State: 'READY', LastCrawl: { Status: 'FAILED', ErrorMessage: 'Insufficient Lake Formation permission(s)' } } });
    sagemaker.on(DescribeFeatureGroupCommand).resolves({ FeatureGroupStatus: 'Creating' });
    const execution = 'arn:aws:sagemaker:us-east-1:111122223333:pipeline/pds-dev-bert-sentiment/execution/abc123';
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [{ PipelineExecutionStatus: 'Failed', PipelineExecutionArn: execution, PipelineExecutionFailureReason: 'Step AccuracyTooLow failed' }] });
    sagemaker.on(ListModelPackagesCommand, { ModelApprovalStatus: 'PendingManualApproval' }).resolves({ ModelPackageSummaryList: [{ ModelPackageArn: `${PACKAGE}/1` } as never] });
    const { code, out } = await run(['-c', 'stage=dev']);
    expect(code).toBe(1);
    expect(out).toContain('failed   stack pds-dev-model-deploy: UPDATE_ROLLBACK_COMPLETE: Resource Deployer failed\n         fix: npm run cdk -- deploy --all -c stage=dev\n');
    expect(out).toContain(`lacks vocab.json; config.json not seeded at the declared commit ${ROBERTA.revision.slice(0, 12)}\n         fix: npm run seed-model -- -c stage=dev\n`);
    expect(out).toContain(
      `missing  raw reviews: no CSV file under s3://${BUCKET}/raw/womens-clothing-reviews/\n` +
        `         fix: aws s3 cp data/sample/reviews/ s3://${BUCKET}/raw/womens-clothing-reviews/ --recursive --sse aws:kms --sse-kms-key-id ${KEY}\n`,
    );
    expect(out).toContain('failed   Glue crawler pds-dev-raw-reviews: last run failed: Insufficient Lake Formation permission(s)\n         fix: aws glue start-crawler --name pds-dev-raw-reviews\n');
    expect(out).toContain('running  feature group pds-dev-reviews: Creating\n');
    expect(out).toContain(
      `failed   pipeline pds-dev-bert-sentiment: last execution failed: Step AccuracyTooLow failed\n         fix: aws sagemaker list-pipeline-execution-steps --pipeline-execution-arn ${execution} (which step, why); then aws sagemaker start-pipeline-execution --pipeline-name pds-dev-bert-sentiment\n`,
    );
    expect(out).toContain(
      `missing  approved model packages of pds-dev-bert-sentiment: none; ${PACKAGE}/1 awaits approval\n         fix: aws sagemaker update-model-package --model-package-arn ${PACKAGE}/1 --model-approval-status Approved\n`,
    );
    expect(out).toContain('6 ready, 1 running, 8 missing, 6 failed');
  });

  test('an approved package that is not served points at the deployer', async () => {
    deployed();
    sagemaker.on(ListModelPackagesCommand, { ModelApprovalStatus: 'Approved' }).resolves({ ModelPackageSummaryList: [{ ModelPackageArn: `${PACKAGE}/3` } as never] });
    const { out } = await run();
    expect(out).toContain(
      "missing  endpoint pds-dev-bert-sentiment: not served although a package is approved: see the deployer's log (aws logs tail /pds-dev/serving/deployer)\n" +
        '         fix: npm run cdk -- deploy pds-dev-serving --exclusively -c serving=true\n',
    );
  });

  test('stacks not deployed: the checks that need them say so; another stage is asked by its names', async () => {
    deployed({ stacks: { 'pds-dev-data-lake': 'absent' } });
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(out).toContain('missing  stack pds-dev-data-lake: not deployed\n         fix: npm run cdk -- deploy --all\n');
    expect(out).toContain('missing  pre-trained model FacebookAI/roberta-base (bert-sentiment): needs the stack pds-dev-data-lake\n');
    expect(out).toContain('missing  Glue crawler: needs the stack pds-dev-data-lake\n');

    const prod = await run(['-c', 'stage=prod']);
    expect(prod.out).toContain('missing  stack pds-prod-data-lake: not deployed\n         fix: npm run cdk -- deploy --all -c stage=prod\n');
    expect(prod.out).toContain('missing  pipeline of bert-sentiment: needs the stack pds-prod-bert-pipeline\n');
  });

  test('no credentials, no region, a bad argument or setting: said plainly, exit 2', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(notFound('CredentialsProviderError', 'Could not load credentials from any providers'));
    let result = await run();
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toBe('No AWS credentials: sign in as for the AWS CLI (aws configure, aws sso login, or AWS_PROFILE) with a role that may read the stacks.\n');
    cloudformation.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    result = await run();
    expect(result).toMatchObject({ code: 2, err: "No AWS region: set AWS_REGION (or a profile's region), or pin it with -c region=...\n" });
    expect(await run(['--stage', 'prod'])).toMatchObject({ code: 2, err: 'doctor: unknown argument --stage; expected -c key=value (the settings the platform was deployed with)\n' });
    expect(await run(['-c', 'stage=banana'])).toMatchObject({ code: 2, err: "Invalid context value 'stage': 'banana' is not allowed; expected one of dev, prod.\n" });
  });

  test('a call the role may not make is named on its line', async () => {
    deployed();
    glue.on(GetCrawlerCommand).rejects(notFound('AccessDeniedException', 'User is not authorized to perform: glue:GetCrawler'));
    const { out } = await run();
    expect(out).toContain('failed   Glue crawler pds-dev-raw-reviews: access denied: User is not authorized to perform: glue:GetCrawler\n         fix: use a role that may read it\n');
  });
});
