/**
 * What a review reads from a synthesized cloud assembly (`cdk synth --output DIR`): each stack's
 * template, its cdk-nag acknowledgements, the pipeline definitions as CloudFormation deploys them,
 * and the settings the app recorded.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SETTINGS_RECORD_FILE } from '../../lib/settings-record';
import { intrinsic, Placeholders } from './placeholders';

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  readonly [key: string]: unknown;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One cdk-nag (or other validation) acknowledgement: a rule finding accepted on one construct. */
export interface Acknowledgement {
  /** The construct path the acknowledgement is made on. */
  readonly path: string;
  /** The finding, e.g. `AwsSolutions-IAM5[Action::s3:GetObject*]`. */
  readonly id: string;
  readonly reason: string;
}

export interface StackArtifact {
  readonly name: string;
  readonly template: Template;
  readonly acknowledgements: readonly Acknowledgement[];
  /** Each resource's construct path (without the stack's name), by logical id. */
  readonly constructPaths: ReadonlyMap<string, string>;
}

/** A pipeline as its template deploys it, with deploy-time values as placeholders. */
export interface DeployedPipeline {
  readonly stack: string;
  readonly logicalId: string;
  /** The pipeline's name (placeholders where it is a deploy-time value). */
  readonly name: string;
  /** The definition, or why it could not be read. */
  readonly definition?: Record<string, unknown>;
  readonly error?: string;
}

export interface Assembly {
  readonly directory: string;
  readonly stacks: readonly StackArtifact[];
  /** The settings the app recorded, when it did. */
  readonly settings?: Record<string, unknown>;
  /** The content hashes of the assembly's file and image assets (as asset object keys carry them). */
  readonly assetHashes: ReadonlySet<string>;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type: string;
      readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string; readonly file?: string };
      readonly metadata?: Record<string, readonly { readonly type: string; readonly data?: unknown }[]>;
      readonly additionalMetadataFile?: string;
    }
  >;
}

/** Reads a cloud assembly directory, nested assemblies (stages) included. */
export function readAssembly(directory: string): Assembly {
  const settingsFile = path.join(directory, SETTINGS_RECORD_FILE);
  const stacks: StackArtifact[] = [];
  const assetHashes = new Set<string>();
  readArtifacts(directory, stacks, assetHashes);
  return {
    directory,
    stacks,
    settings: fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf-8')) : undefined,
    assetHashes,
  };
}

function readArtifacts(directory: string, stacks: StackArtifact[], assetHashes: Set<string>): void {
  const manifest = readJson<Manifest>(path.join(directory, 'manifest.json'));
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      readArtifacts(path.join(directory, artifact.properties.directoryName), stacks, assetHashes);
    }
    if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file) {
      const assets = readJson<{ files?: Record<string, unknown>; dockerImages?: Record<string, unknown> }>(path.join(directory, artifact.properties.file));
      for (const hash of [...Object.keys(assets.files ?? {}), ...Object.keys(assets.dockerImages ?? {})]) assetHashes.add(hash);
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const metadata = {
      ...(artifact.additionalMetadataFile ? readJson(path.join(directory, artifact.additionalMetadataFile)) : {}),
      ...(artifact.metadata ?? {}),
    } as NonNullable<Manifest['artifacts']>[string]['metadata'];
    const name = artifact.properties.stackName ?? id;
    const acknowledgements: Acknowledgement[] = [];
    const constructPaths = new Map<string, string>();
    for (const [constructPath, entries] of Object.entries(metadata ?? {})) {
      const where = constructPath.replace(/^\//, '');
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
          constructPaths.set(entry.data, where.startsWith(`${name}/`) ? where.slice(name.length + 1) : where);
        }
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledgements.push({ path: where, id: rule.replace(/^Annotation::/, ''), reason });
        }
      }
    }
    stacks.push({
      name,
      template: readJson<Template>(path.join(directory, artifact.properties.templateFile)),
      acknowledgements,
      constructPaths,
    });
  }
}

/** The templates of an assembly by stack name. */
export function templatesByStack(assembly: Assembly): Map<string, Template> {
  return new Map(assembly.stacks.map((s) => [s.name, s.template]));
}

/** How deploy-time values of a stack's template become text (the review's placeholders by default). */
export type DeployTimeText = (templates: ReadonlyMap<string, Template>, stack: string) => { text(value: unknown): string };

/**
 * Every SageMaker pipeline of the assembly with its definition as deployed: the inline
 * `PipelineDefinitionBody`, or the file that a bucket deployment of the same stack uploads to
 * `PipelineDefinitionS3Location` (its deploy-time markers resolved to placeholders too).
 */
export function deployedPipelines(
  assembly: Assembly,
  deployTimeText: DeployTimeText = (templates, stack) => new Placeholders(templates, stack),
): DeployedPipeline[] {
  const templates = templatesByStack(assembly);
  const pipelines: DeployedPipeline[] = [];
  for (const stack of assembly.stacks) {
    const placeholders = deployTimeText(templates, stack.name);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::SageMaker::Pipeline') continue;
      const name = placeholders.text(resource.Properties?.PipelineName ?? logicalId);
      const location = (resource.Properties?.PipelineDefinition ?? {}) as Record<string, unknown>;
      let text: string | undefined;
      let error: string | undefined;
      if (location.PipelineDefinitionBody !== undefined) {
        text = placeholders.text(location.PipelineDefinitionBody);
      } else if (location.PipelineDefinitionS3Location !== undefined) {
        ({ text, error } = definitionFromAssets(assembly.directory, stack, placeholders, location.PipelineDefinitionS3Location as Record<string, unknown>));
      } else {
        error = 'the template gives neither PipelineDefinitionBody nor PipelineDefinitionS3Location';
      }
      if (text !== undefined) {
        try {
          pipelines.push({ stack: stack.name, logicalId, name, definition: JSON.parse(text) });
          continue;
        } catch (e) {
          error = `its definition is not JSON once deploy-time values are placeholders (${(e as Error).message})`;
        }
      }
      pipelines.push({ stack: stack.name, logicalId, name, error });
    }
  }
  return pipelines;
}

function definitionFromAssets(
  directory: string,
  stack: StackArtifact,
  placeholders: { text(value: unknown): string },
  location: Record<string, unknown>,
): { text?: string; error?: string } {
  const key = location.Key;
  if (typeof key !== 'string') return { error: 'its S3 definition key is a deploy-time value' };
  for (const resource of Object.values(stack.template.Resources ?? {})) {
    if (resource.Type !== 'Custom::CDKBucketDeployment') continue;
    const props = resource.Properties ?? {};
    const prefix = typeof props.DestinationBucketKeyPrefix === 'string' ? props.DestinationBucketKeyPrefix : '';
    if (!key.startsWith(prefix)) continue;
    const relative = key.slice(prefix.length).replace(/^\//, '');
    const sources = (props.SourceObjectKeys ?? []) as unknown[];
    const markers = (props.SourceMarkers ?? []) as Record<string, unknown>[];
    for (const [i, objectKey] of sources.entries()) {
      if (typeof objectKey !== 'string' || intrinsic(objectKey)) continue;
      const file = path.join(directory, `asset.${objectKey.replace(/\.zip$/, '')}`, relative);
      if (!fs.existsSync(file)) continue;
      let text = fs.readFileSync(file, 'utf-8');
      for (const [marker, value] of Object.entries(markers[i] ?? {})) {
        text = text.split(marker).join(placeholders.text(value));
      }
      return { text };
    }
  }
  return { error: `its definition file ${key} is in none of the stack's uploaded assets` };
}

function readJson<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf-8')) as T;
}
