/**
 * What the commands that work on a deployed platform (`npm run doctor`, `npm run seed-model`) know
 * of it without synthesizing: the configuration, as `cdk synth` takes it (cdk.json's context and
 * the `-c` values), its model families, and the names of the stacks and resources the app deploys
 * for them. What only the deploy knows (bucket and key names, the crawler's) they read from the
 * stacks' outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FamilyServingNames, familyServingNames, ModelFamily, PretrainedModel } from '../../lib/model-family';
import { platformFamilies } from '../../pipeline-definitions/families';
import { LakePrefix } from '../../lib/lake-layout';
import { resourceName } from '../../lib/naming';
import { projectRoot } from '../../lib/project-paths';
import { loadConfig, PlatformConfig } from '../../lib/settings';

/** A command line's `-c key=value` pairs, and the rest of it in order. */
export interface ContextArguments {
  readonly context: Readonly<Record<string, string>>;
  readonly rest: readonly string[];
}

/** Takes the `-c key=value` (or `--context key=value`) pairs out of a command line. */
export function contextArguments(argv: readonly string[], command: string): ContextArguments {
  const context: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== '-c' && arg !== '--context') {
      rest.push(arg);
      continue;
    }
    const pair = argv[++i];
    const at = pair === undefined ? -1 : pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${command}: ${arg} needs key=value${pair === undefined ? '' : `, not '${pair}'`}`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { context, rest };
}

/** A command line the command cannot run: said without a stack trace. */
export class UsageError extends Error {}

/** One family's deployed names. */
export interface DeployedFamily {
  readonly family: ModelFamily;
  /** Its pipeline stacks. */
  readonly pipelineStacks: readonly string[];
  /** Its model package group. */
  readonly modelPackageGroupName: string;
  readonly serving: FamilyServingNames;
  /** Its endpoint, when served. */
  readonly endpointName: string;
}

/** A pre-trained model as the lake holds it, with the families that read it. */
export interface LakeModel extends PretrainedModel {
  readonly families: readonly string[];
}

export interface DeployedPlatform {
  readonly config: PlatformConfig;
  readonly dataLakeStack: string;
  readonly mlRegistryStack: string;
  readonly modelDeployStack: string;
  readonly families: readonly DeployedFamily[];
  /** Each pre-trained model the families declare, once per lake prefix. */
  readonly models: readonly LakeModel[];
}

/**
 * The platform that `cdk deploy --all` deploys for this configuration.
 * @throws ConfigError for a setting that is not allowed, as the synth would
 */
export function deployedPlatform(context: Readonly<Record<string, string>>, root = projectRoot(__dirname)): DeployedPlatform {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf-8')) as { context?: Record<string, unknown> };
  const all: Record<string, unknown> = { ...(cdkJson.context ?? {}), ...context };
  const config = loadConfig((key) => all[key], { contextKeys: Object.keys(all) });
  const prefix = config.namePrefix;
  const families = platformFamilies(config).map((family) => {
    const serving = familyServingNames(prefix, family);
    return {
      family,
      pipelineStacks: family.pipelines.map((pipeline) => `${prefix}-${pipeline.stackSuffix}`),
      modelPackageGroupName: resourceName(prefix, family.id, 63),
      serving,
      endpointName: resourceName(prefix, serving.endpointId, 63),
    };
  });
  return {
    config,
    dataLakeStack: `${prefix}-data-lake`,
    mlRegistryStack: `${prefix}-ml-registry`,
    modelDeployStack: `${prefix}-model-deploy`,
    families,
    models: lakeModels(families.map((f) => f.family)),
  };
}

/**
 * The families' pre-trained models, one per lake prefix (a pipeline variant reads its family's).
 * @throws Error when a declaration is malformed, or two families want different models under one prefix
 */
export function lakeModels(families: readonly ModelFamily[]): LakeModel[] {
  const byPrefix = new Map<string, LakeModel>();
  for (const family of families) {
    const model = family.pretrainedModel;
    if (!model) continue;
    const problem = declarationProblem(model);
    if (problem) throw new Error(`Model family '${family.id}': its pretrainedModel ${problem}.`);
    const seen = byPrefix.get(model.lakePrefix);
    const { families: _families, ...declared } = seen ?? { families: [] };
    if (seen && JSON.stringify(declared) !== JSON.stringify(model)) {
      throw new Error(`Model families '${seen.families.join("', '")}' and '${family.id}' declare different pre-trained models under ${model.lakePrefix}.`);
    }
    byPrefix.set(model.lakePrefix, { ...model, families: [...(seen?.families ?? []), family.id] });
  }
  return [...byPrefix.values()];
}

function declarationProblem(model: PretrainedModel): string | undefined {
  if (!/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(model.repository)) return `repository '${model.repository}' is not a hub repository id (<owner>/<name>)`;
  if (!/^[0-9a-f]{40}$/.test(model.revision)) return `revision '${model.revision}' is not a commit (40 lowercase hexadecimal digits)`;
  if (model.files.length === 0) return 'names no files';
  const bad = model.files.find((file) => file.startsWith('/') || file.split('/').includes('..') || file === '');
  if (bad !== undefined) return `file '${bad}' is not a path inside the repository`;
  if (!model.lakePrefix.startsWith(LakePrefix.models) || !/^([\w.-]+\/){2,}$/.test(model.lakePrefix)) {
    return `lakePrefix '${model.lakePrefix}' is not a folder under ${LakePrefix.models} ending with /`;
  }
  return undefined;
}
