/**
 * What the local runner needs to run a rendered pipeline on this machine (`<id>.local.json`):
 *
 * - from the assembly, for every pipeline alike: the stack's uploads to the lake (the step code
 *   and the files released with it) as seeds, and the feature groups the definition names, with
 *   their schemas as deployed;
 * - from the pipeline's own declaration beside its definition ({@link LocalDeclaration}): the
 *   inputs it needs seeded (sample data, a tiny stand-in model, ...), parameters scaled for that
 *   model, model packages it reads, and the open-engine substitutes of steps whose service does
 *   not run here.
 *
 * The runner lists all of it in its report, so a local run says what was not as on AWS.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Assembly } from '../../scripts/review/assembly';
import { DeployValues, TemplateLike } from './deploy-values';

type Json = Record<string, unknown>;

/** Something written to the local S3 folders before the run. */
export interface Seed {
  readonly uri: string;
  readonly description: string;
  /** A folder or file to copy (absolute, or relative to the project root). */
  readonly path?: string;
  /** JSON to write. */
  readonly content?: unknown;
  /** A command that writes it: `{python}`, `{target}` (the URI's folder) and `{s3:URI}` are replaced. */
  readonly command?: readonly string[];
  /** Build once per work folder. */
  readonly once?: boolean;
  /** The path is an asset folder of the assembly (copied beside the renderings). */
  readonly asset?: boolean;
}

/** How a step whose service does not run here runs instead. */
export interface Substitution {
  readonly description: string;
  /** Tokens: `{python}`, `{s3:URI}`, `{input:Name}`, `{output}`, `{skip}`, `{registerNewBaseline}`, `{suppliedConstraints}`, `{model}`. */
  readonly command: readonly string[];
  /** Appended when the step has supplied baseline constraints. */
  readonly whenSupplied?: readonly string[];
  /** The step's properties: report files under its output, by property name. */
  readonly properties: Readonly<Record<string, string>>;
}

export interface FeatureGroupSchemaRecord {
  readonly featureGroupName: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly features: readonly { readonly name: string; readonly type: string }[];
}

export interface LocalSettings {
  readonly pipeline: string;
  /** Local defaults of parameters (`--param` overrides them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Why each local parameter differs from the deployed default. */
  readonly notes: Readonly<Record<string, string>>;
  readonly seeds: readonly Seed[];
  /** Model packages the run reads (DescribeModelPackage responses). */
  readonly modelPackages: readonly Json[];
  readonly featureGroups: Readonly<Record<string, FeatureGroupSchemaRecord>>;
  /** By step name. */
  readonly substitutions: Readonly<Record<string, Substitution>>;
  /** Variables of every job the run starts. */
  readonly environment: Readonly<Record<string, string>>;
  /** Options appended to a Training step's command, by step name (`{job:<container path>}` tokens). */
  readonly jobArguments: Readonly<Record<string, readonly string[]>>;
  /** By Tuning step name: the seed the local tuner samples with, and ranges scaled for a stand-in model (with why). */
  readonly tuning: Readonly<Record<string, LocalTuning>>;
  /** Stand-ins for built-in algorithms' containers, by the repository of their image (e.g. `blazingtext`). */
  readonly algorithms: Readonly<Record<string, AlgorithmStandIn>>;
  /** What stands in for Autopilot, by AutoML step name: a search of candidates (the runner's steps/automl.py). */
  readonly automl: Readonly<Record<string, AutoMLSearch>>;
}

/** A search of candidate models that stands in for Autopilot's job here. */
export interface AutoMLSearch {
  /** What it searches, and how it differs from Autopilot (the run's report names it). */
  readonly description: string;
  /**
   * Its command: `{python}`, `{input}` (the training channel's copy), `{output}` (the job's output
   * folder, where it writes `best-candidate.json`), `{target}`, `{problemType}`, `{objective}`,
   * `{maxCandidates}`, `{validationFraction}`; project paths relative to its root.
   */
  readonly command: readonly string[];
}

/**
 * How a built-in algorithm's container runs here (its image holds the algorithm, not the
 * project's code): the training its jobs run and the handlers its model containers answer with.
 */
export interface AlgorithmStandIn {
  /** What stands in, and how it differs (the run's report names it). */
  readonly description: string;
  /**
   * The training command (`{python}` the interpreter; project paths relative to its root), run as
   * a training program runs: in the instance's folder with the `SM_*` variables (the
   * hyperparameters in `SM_HPS`), writing the model to `SM_MODEL_DIR`.
   */
  readonly training: readonly string[];
  /** The serving handlers (`model_fn`, `input_fn`, `predict_fn`, `output_fn`): a Python file of the project. */
  readonly serving: string;
}

/** How a Tuning step samples here (the runner's steps/tuning.py). */
export interface LocalTuning {
  readonly seed?: number;
  /** Ranges scaled for a stand-in model, by hyperparameter: bounds, or the values of a categorical range. */
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number; readonly values?: readonly (string | number)[] }>>;
  /** Why the ranges differ from the deployed ones (required with `ranges`). */
  readonly note?: string;
}

/** What a pipeline's declaration reads of its rendering. */
export interface LocalRunContext {
  readonly id: string;
  readonly definition: Json;
  /** Every step, inside Conditions too. */
  readonly steps: readonly Json[];
  /** A parameter's deployed default (an error naming the parameter when it has none). */
  parameterDefault(name: string): string;
  /** A step's rendered Arguments, by step name, inside Conditions too. */
  stepArguments(name: string): Json;
  /** Where the stack uploads the step code (the first upload). */
  readonly codeUri: string;
  /** The settings the app was synthesized with (its settings record), by name. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** What a pipeline declares beside its definition for local runs. */
export type LocalDeclaration = (context: LocalRunContext) => Partial<Pick<LocalSettings, 'parameters' | 'notes' | 'seeds' | 'modelPackages' | 'substitutions' | 'environment' | 'jobArguments' | 'tuning' | 'algorithms' | 'automl'>>;

/** The local settings of one rendered pipeline, with the declaration of its definition's kind among `declarations`. */
export function localSettings(
  pipeline: { readonly id: string; readonly definitionKind: string; readonly stack: string; readonly definition: Json },
  assembly: Assembly,
  templates: ReadonlyMap<string, TemplateLike>,
  declarations: Readonly<Record<string, LocalDeclaration>>,
): LocalSettings {
  const uploads = stackUploads(pipeline.stack, assembly, new DeployValues(templates, pipeline.stack));
  const steps = allSteps((pipeline.definition.Steps ?? []) as Json[]);
  const context: LocalRunContext = {
    id: pipeline.id,
    definition: pipeline.definition,
    steps,
    parameterDefault: (name) => {
      const parameter = ((pipeline.definition.Parameters ?? []) as Json[]).find((p) => p.Name === name);
      if (parameter?.DefaultValue === undefined) throw new Error(`local settings of ${pipeline.id}: parameter ${name} has no default`);
      return String(parameter.DefaultValue);
    },
    stepArguments: (name) => {
      const step = steps.find((s) => s.Name === name);
      if (!step) throw new Error(`local settings of ${pipeline.id}: no step ${name}`);
      return (step.Arguments ?? {}) as Json;
    },
    settings: assembly.settings ?? {},
    get codeUri() {
      if (uploads.length === 0) throw new Error(`local settings of ${pipeline.id}: stack ${pipeline.stack} uploads no step code`);
      return uploads[0].uri;
    },
  };
  const declared = declarations[pipeline.definitionKind]?.(context) ?? {};
  return {
    pipeline: pipeline.id,
    parameters: declared.parameters ?? {},
    notes: declared.notes ?? {},
    seeds: [...uploads, ...(declared.seeds ?? [])],
    modelPackages: declared.modelPackages ?? [],
    featureGroups: namedFeatureGroups(JSON.stringify(pipeline.definition), assembly, templates),
    substitutions: declared.substitutions ?? {},
    environment: declared.environment ?? {},
    jobArguments: declared.jobArguments ?? {},
    tuning: declared.tuning ?? {},
    algorithms: declared.algorithms ?? {},
    automl: declared.automl ?? {},
  };
}

/** The files a stack's bucket deployments upload (without deploy-time markers), as seeds. */
function stackUploads(stackName: string, assembly: Assembly, values: DeployValues): Seed[] {
  const stack = assembly.stacks.find((s) => s.name === stackName);
  const seeds: Seed[] = [];
  for (const [logicalId, resource] of Object.entries(stack?.template.Resources ?? {})) {
    if (resource.Type !== 'Custom::CDKBucketDeployment') continue;
    const props = resource.Properties ?? {};
    const prefix = typeof props.DestinationBucketKeyPrefix === 'string' ? props.DestinationBucketKeyPrefix : '';
    const uri = `s3://${values.text(props.DestinationBucketName)}/${prefix}`;
    const markers = (props.SourceMarkers ?? []) as Json[];
    ((props.SourceObjectKeys ?? []) as unknown[]).forEach((key, i) => {
      if (typeof key !== 'string' || Object.keys(markers[i] ?? {}).length > 0) return; // a file with deploy-time values: not step code
      const folder = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return;
      seeds.push({ uri, path: folder, asset: true, description: `uploaded by ${stackName}/${logicalId} (asset ${key.replace(/\.zip$/, '').slice(0, 12)})` });
    });
  }
  return seeds;
}

/** The feature groups of the assembly whose names the definition carries. */
function namedFeatureGroups(definitionText: string, assembly: Assembly, templates: ReadonlyMap<string, TemplateLike>): Record<string, FeatureGroupSchemaRecord> {
  const groups: Record<string, FeatureGroupSchemaRecord> = {};
  for (const stack of assembly.stacks) {
    const values = new DeployValues(templates, stack.name);
    for (const resource of Object.values(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::SageMaker::FeatureGroup') continue;
      const props = resource.Properties ?? {};
      const name = values.text(props.FeatureGroupName);
      if (!definitionText.includes(`"${name}"`)) continue;
      groups[name] = {
        featureGroupName: name,
        recordIdentifier: values.text(props.RecordIdentifierFeatureName),
        eventTime: values.text(props.EventTimeFeatureName),
        features: ((props.FeatureDefinitions ?? []) as Json[]).map((f) => ({ name: String(f.FeatureName), type: String(f.FeatureType) })),
      };
    }
  }
  return groups;
}

function allSteps(steps: readonly Json[]): Json[] {
  return steps.flatMap((step) => {
    const args = (step.Arguments ?? {}) as Json;
    return step.Type === 'Condition' ? [step, ...allSteps((args.IfSteps ?? []) as Json[]), ...allSteps((args.ElseSteps ?? []) as Json[])] : [step];
  });
}
