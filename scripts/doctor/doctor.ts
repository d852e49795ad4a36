/**
 * `npm run doctor [-- -c key=value ...]`: whether a deployed platform is ready to train and serve,
 * line by line, each line not ready with the command that fixes it. It reads the deployed stacks'
 * outputs with the user's credentials and region (as the AWS CLI does) and asks the services:
 *
 * - the stacks `cdk deploy --all` deploys;
 * - each pre-trained model the families declare, in the lake prefix its pipeline reads (as
 *   `npm run seed-model` records it);
 * - the raw reviews (the sample data) and the Glue crawler's last run;
 * - the reviews feature group's status;
 * - per family: its pipelines' last execution, its approved model packages and its endpoint.
 *
 * Exits 0 when everything is ready, 1 when something is not, 2 when it cannot tell (no credentials,
 * a bad argument or setting).
 */
import { CloudFormationClient, DescribeStacksCommand, Output } from '@aws-sdk/client-cloudformation';
import { GetCrawlerCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeFeatureGroupCommand, ListModelPackagesCommand, ListPipelineExecutionsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import * as path from 'path';
import { SAMPLE_DATA_DIR } from '../../lib/constructs/lake-folder-upload';
import { logGroupName } from '../../lib/data-lake-stack';
import { LakePrefix } from '../../lib/lake-layout';
import { projectRoot } from '../../lib/project-paths';
import { ConfigError } from '../../lib/settings';
import { contextArguments, DeployedFamily, DeployedPlatform, deployedPlatform, LakeModel, UsageError } from '../deployed/platform';

export type Status = 'ready' | 'running' | 'missing' | 'failed';

/** One line of the report: what, its state, and the command that fixes it when it is not ready. */
export interface Finding {
  readonly status: Status;
  readonly what: string;
  readonly detail: string;
  readonly fix?: string;
}

export interface DoctorClients {
  readonly cloudformation: CloudFormationClient;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly sagemaker: SageMakerClient;
}

/** The doctor cannot tell: no credentials or region, said plainly. */
export class DoctorError extends Error {}

/** Object metadata that `npm run seed-model` records (scripts/seed_model/seed.py). */
const SEEDED_REVISION = 'source-revision';

/**
 * What is ready and what is missing.
 * @param context the `-c` values the platform was deployed with, repeated in the fixes
 */
export async function doctor(platform: DeployedPlatform, clients: DoctorClients, context: Readonly<Record<string, string>> = {}): Promise<Finding[]> {
  const contextFlags = Object.entries(context).map(([key, value]) => ` -c ${shellWord(`${key}=${value}`)}`).join('');
  const deployAll = `npm run cdk -- deploy --all${contextFlags}`;
  const findings: Finding[] = [];
  const stacks = new Map<string, Record<string, string>>();
  const stackNames = [platform.dataLakeStack, platform.mlRegistryStack, ...platform.families.flatMap((f) => f.pipelineStacks), platform.modelDeployStack];
  for (const name of stackNames) {
    const { finding, outputs } = await stack(clients.cloudformation, name, deployAll);
    findings.push(finding);
    if (outputs) stacks.set(name, outputs);
  }
  const needs = (stackName: string, what: string): Finding => ({ status: 'missing', what, detail: `needs the stack ${stackName}`, fix: deployAll });

  const lake = stacks.get(platform.dataLakeStack);
  const bucket = lake?.LakeBucketName;
  for (const model of platform.models) {
    const what = `pre-trained model ${model.repository} (${model.families.join(', ')})`;
    findings.push(bucket ? await lakeModel(clients.s3, bucket, model, what, `npm run seed-model${contextFlags ? ` --${contextFlags}` : ''}`) : needs(platform.dataLakeStack, what));
  }
  findings.push(lake ? await sampleData(clients.s3, lake) : needs(platform.dataLakeStack, 'raw reviews'));
  findings.push(lake?.CrawlerName ? await crawler(clients.glue, lake.CrawlerName) : needs(platform.dataLakeStack, 'Glue crawler'));
  const registry = stacks.get(platform.mlRegistryStack);
  findings.push(
    registry?.ReviewsFeatureGroupName
      ? await featureGroup(clients.sagemaker, registry.ReviewsFeatureGroupName, `npm run cdk -- deploy ${platform.mlRegistryStack}${contextFlags}`)
      : needs(platform.mlRegistryStack, 'reviews feature group'),
  );
  for (const family of platform.families) {
    for (const pipelineStack of family.pipelineStacks) {
      const pipelineName = stacks.get(pipelineStack)?.PipelineName;
      findings.push(pipelineName ? await lastExecution(clients.sagemaker, pipelineName) : needs(pipelineStack, `pipeline of ${family.family.id}`));
    }
    const approved = await approvedPackages(clients.sagemaker, family);
    findings.push(approved.finding);
    findings.push(await endpoint(clients.sagemaker, family, approved.latest !== undefined, platform.config.namePrefix, contextFlags));
  }
  return findings;
}

async function stack(client: CloudFormationClient, name: string, deployAll: string): Promise<{ finding: Finding; outputs?: Record<string, string> }> {
  const what = `stack ${name}`;
  try {
    const found = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    const status = found?.StackStatus ?? 'UNKNOWN';
    const outputs = Object.fromEntries((found?.Outputs ?? []).map((o: Output) => [o.OutputKey!, o.OutputValue!]));
    if (status.endsWith('_IN_PROGRESS')) return { finding: { status: 'running', what, detail: status } };
    if (status.endsWith('_COMPLETE') && !status.includes('ROLLBACK') && !status.startsWith('DELETE')) return { finding: { status: 'ready', what, detail: status }, outputs };
    return { finding: { status: 'failed', what, detail: `${status}${found?.StackStatusReason ? `: ${found.StackStatusReason}` : ''}`, fix: deployAll } };
  } catch (error) {
    if (isError(error, 'ValidationError') && /does not exist/.test(message(error))) return { finding: { status: 'missing', what, detail: 'not deployed', fix: deployAll } };
    return { finding: unexpected(what, error) };
  }
}

async function lakeModel(s3: S3Client, bucket: string, model: LakeModel, what: string, fix: string): Promise<Finding> {
  const where = `s3://${bucket}/${model.lakePrefix}`;
  const absent: string[] = [];
  const other: string[] = [];
  try {
    for (const file of model.files) {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${model.lakePrefix}${file}` }));
        if (head.Metadata?.[SEEDED_REVISION] !== model.revision) other.push(file);
      } catch (error) {
        if (!isError(error, 'NotFound', 'NoSuchKey')) throw error;
        absent.push(file);
      }
    }
  } catch (error) {
    return unexpected(what, error);
  }
  if (absent.length === 0 && other.length === 0) return { status: 'ready', what, detail: `${where} at ${model.revision.slice(0, 12)}` };
  const detail = [
    absent.length > 0 ? `${where} lacks ${absent.join(', ')}` : `${where}`,
    other.length > 0 ? `${other.join(', ')} not seeded at the declared commit ${model.revision.slice(0, 12)}` : undefined,
  ];
  return { status: 'missing', what, detail: detail.filter(Boolean).join('; '), fix };
}

async function sampleData(s3: S3Client, lake: Record<string, string>): Promise<Finding> {
  const what = 'raw reviews';
  const uri = lake.RawReviewsUri ?? `s3://${lake.LakeBucketName}/${LakePrefix.rawReviews}`;
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri) ?? [];
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const csv = (listed.Contents ?? []).filter((o) => o.Key?.endsWith('.csv'));
    if (csv.length > 0) return { status: 'ready', what, detail: `${csv.length}${listed.IsTruncated ? '+' : ''} CSV files under ${uri}` };
    return {
      status: 'missing',
      what,
      detail: `no CSV file under ${uri}`,
      fix: `aws s3 cp ${path.relative(projectRoot(), SAMPLE_DATA_DIR)}/ ${uri} --recursive --sse aws:kms --sse-kms-key-id ${lake.LakeKeyArn}`,
    };
  } catch (error) {
    return unexpected(what, error);
  }
}

async function crawler(glue: GlueClient, name: string): Promise<Finding> {
  const what = `Glue crawler ${name}`;
  const fix = `aws glue start-crawler --name ${name}`;
  try {
    const found = (await glue.send(new GetCrawlerCommand({ Name: name }))).Crawler;
    const last = found?.LastCrawl;
    if (found?.State === 'RUNNING' || found?.State === 'STOPPING') return { status: 'running', what, detail: `${found.State.toLowerCase()}` };
    if (!last) return { status: 'missing', what, detail: 'has never run', fix };
    const when = last.StartTime ? ` (${last.StartTime.toISOString()})` : '';
    if (last.Status === 'SUCCEEDED') return { status: 'ready', what, detail: `last run succeeded${when}` };
    return { status: 'failed', what, detail: `last run ${String(last.Status).toLowerCase()}${when}${last.ErrorMessage ? `: ${last.ErrorMessage}` : ''}`, fix };
  } catch (error) {
    return unexpected(what, error);
  }
}

async function featureGroup(sagemaker: SageMakerClient, name: string, fix: string): Promise<Finding> {
  const what = `feature group ${name}`;
  try {
    const found = await sagemaker.send(new DescribeFeatureGroupCommand({ FeatureGroupName: name }));
    const status = found.FeatureGroupStatus ?? 'Unknown';
    if (status === 'Created') {
      const offline = found.OfflineStoreStatus;
      if (offline?.Status === 'Blocked') return { status: 'failed', what, detail: `offline store blocked: ${offline.BlockedReason ?? ''}`, fix };
      return { status: 'ready', what, detail: 'Created' };
    }
    if (status === 'Creating' || status === 'Deleting') return { status: 'running', what, detail: status };
    return { status: 'failed', what, detail: `${status}${found.FailureReason ? `: ${found.FailureReason}` : ''}`, fix };
  } catch (error) {
    if (isError(error, 'ResourceNotFound')) return { status: 'missing', what, detail: 'does not exist', fix };
    return unexpected(what, error);
  }
}

async function lastExecution(sagemaker: SageMakerClient, pipelineName: string): Promise<Finding> {
  const what = `pipeline ${pipelineName}`;
  const start = `aws sagemaker start-pipeline-execution --pipeline-name ${pipelineName}`;
  try {
    const listed = await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: pipelineName, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1 }));
    const last = listed.PipelineExecutionSummaries?.[0];
    if (!last) return { status: 'missing', what, detail: 'has never run', fix: start };
    const when = last.StartTime ? ` (started ${last.StartTime.toISOString()})` : '';
    switch (last.PipelineExecutionStatus) {
      case 'Succeeded':
        return { status: 'ready', what, detail: `last execution succeeded${when}` };
      case 'Executing':
      case 'Stopping':
        return { status: 'running', what, detail: `last execution ${last.PipelineExecutionStatus.toLowerCase()}${when}` };
      default:
        return {
          status: 'failed',
          what,
          detail: `last execution ${String(last.PipelineExecutionStatus).toLowerCase()}${when}${last.PipelineExecutionFailureReason ? `: ${last.PipelineExecutionFailureReason}` : ''}`,
          fix: `aws sagemaker list-pipeline-execution-steps --pipeline-execution-arn ${last.PipelineExecutionArn} (which step, why); then ${start}`,
        };
    }
  } catch (error) {
    return unexpected(what, error);
  }
}

async function approvedPackages(sagemaker: SageMakerClient, family: DeployedFamily): Promise<{ finding: Finding; latest?: string }> {
  const group = family.modelPackageGroupName;
  const what = `approved model packages of ${group}`;
  const latest = async (status: 'Approved' | 'PendingManualApproval') =>
    (await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, ModelApprovalStatus: status, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1 })))
      .ModelPackageSummaryList?.[0]?.ModelPackageArn;
  try {
    const approved = await latest('Approved');
    if (approved) return { finding: { status: 'ready', what, detail: `latest ${approved}` }, latest: approved };
    const pending = await latest('PendingManualApproval');
    if (pending) {
      return {
        finding: {
          status: 'missing',
          what,
          detail: `none; ${pending} awaits approval`,
          fix: `aws sagemaker update-model-package --model-package-arn ${pending} --model-approval-status Approved`,
        },
      };
    }
    return { finding: { status: 'missing', what, detail: 'none registered yet: a successful pipeline execution registers one', fix: 'run the pipeline (above)' } };
  } catch (error) {
    return { finding: unexpected(what, error) };
  }
}

async function endpoint(sagemaker: SageMakerClient, family: DeployedFamily, anyApproved: boolean, namePrefix: string, contextFlags: string): Promise<Finding> {
  const name = family.endpointName;
  const what = `endpoint ${name}`;
  const deploy = `npm run cdk -- deploy ${family.serving.stackName} --exclusively${contextFlags} -c serving=true`;
  try {
    const found = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    const status = found.EndpointStatus ?? 'Unknown';
    if (status === 'InService') return { status: 'ready', what, detail: 'InService' };
    if (['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'].includes(status)) return { status: 'running', what, detail: status };
    return { status: 'failed', what, detail: `${status}${found.FailureReason ? `: ${found.FailureReason}` : ''}`, fix: deploy };
  } catch (error) {
    if (!(isError(error, 'ValidationException') && /Could not find endpoint/i.test(message(error)))) return unexpected(what, error);
    if (!anyApproved) return { status: 'missing', what, detail: 'not served: no approved model package yet', fix: 'approve a package (above); the approval deploys it' };
    return {
      status: 'missing',
      what,
      detail: `not served although a package is approved: see the deployer's log (aws logs tail ${logGroupName(namePrefix, 'serving/deployer')})`,
      fix: deploy,
    };
  }
}

function isError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error a check did not expect: its message, or the doctor's own for missing credentials or region. */
function unexpected(what: string, error: unknown): Finding {
  if (isError(error, 'CredentialsProviderError')) {
    throw new DoctorError('No AWS credentials: sign in as for the AWS CLI (aws configure, aws sso login, or AWS_PROFILE) with a role that may read the stacks.');
  }
  if (/Region is missing/i.test(message(error))) throw new DoctorError('No AWS region: set AWS_REGION (or a profile\'s region), or pin it with -c region=...');
  const denied = isError(error, 'AccessDenied', 'AccessDeniedException', 'AccessDeniedError', 'UnauthorizedOperation');
  return { status: 'failed', what, detail: `${denied ? 'access denied' : 'could not be read'}: ${message(error)}`, fix: denied ? 'use a role that may read it' : undefined };
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The report: one line per finding, its fix indented below it, and the count. */
export function formatFindings(findings: readonly Finding[]): string {
  const lines = findings.flatMap((f) => [`${f.status.padEnd(8)} ${f.what}: ${f.detail}`, ...(f.fix ? [`         fix: ${f.fix}`] : [])]);
  const count = (status: Status) => findings.filter((f) => f.status === status).length;
  lines.push('', `${count('ready')} ready, ${count('running')} running, ${count('missing')} missing, ${count('failed')} failed`);
  return `${lines.join('\n')}\n`;
}

/** Runs the doctor for a command line; returns the exit code. */
export async function main(argv: readonly string[], clients?: DoctorClients, write = (text: string): unknown => process.stdout.write(text)): Promise<number> {
  try {
    const { context, rest } = contextArguments(argv, 'doctor');
    if (rest.length > 0) throw new UsageError(`doctor: unknown argument ${rest[0]}; expected -c key=value (the settings the platform was deployed with)`);
    const platform = deployedPlatform(context);
    const region = platform.config.region;
    const made = clients ?? {
      cloudformation: new CloudFormationClient({ region }),
      s3: new S3Client({ region }),
      glue: new GlueClient({ region }),
      sagemaker: new SageMakerClient({ region }),
    };
    const findings = await doctor(platform, made, context);
    write(formatFindings(findings));
    return findings.every((f) => f.status === 'ready') ? 0 : 1;
  } catch (error) {
    if (error instanceof DoctorError || error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
