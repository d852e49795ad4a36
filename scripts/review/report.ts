/**
 * The review report: what a change does to the platform, as Markdown, from the cloud assemblies
 * of the base and the head. Resource, IAM and security-group changes come from CDK's own diff
 * engine (`@aws-cdk/cloudformation-diff`); the pipeline definitions are compared step by step.
 */
import { ResourceDifference, ResourceImpact, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { Assembly, deployedPipelines, StackArtifact, TemplateResource } from './assembly';
import { formatChange, formatPair, leafChanges, strictEqual } from './leaf-changes';
import { PipelineChange, pipelineChanges, stepList, StepRuntime } from './pipeline-changes';
import { securitySection } from './security-changes';
import { pairStacks, resourceOf, StackReview, table } from './stack-review';

export interface ReviewInput {
  /** The base's assembly; absent when the base did not synthesize. */
  readonly base?: Assembly;
  /** Why the base did not synthesize. */
  readonly baseError?: string;
  readonly head: Assembly;
  /** How the report names the base and the head (a ref and its commit; "working tree"). */
  readonly baseLabel: string;
  readonly headLabel: string;
  /** The `-c key=value` values both synths were given. */
  readonly context: Readonly<Record<string, string>>;
  /** Notes for the top of the report (e.g. that the change edits the review tool itself). */
  readonly notes?: readonly string[];
  /** Warnings the head's synth printed (an unknown setting, say). */
  readonly warnings?: readonly string[];
}

/** Resource types that hold data or identity: replacing or deleting one loses it. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Glue::Database',
  'AWS::Glue::Table',
  'AWS::SageMaker::FeatureGroup',
  'AWS::SageMaker::ModelPackageGroup',
  'AWS::SageMaker::Domain',
  'AWS::Cognito::UserPool',
  'AWS::Logs::LogGroup',
  'AWS::EFS::FileSystem',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
  'AWS::ECR::Repository',
]);

/** Deletion policies that say the resource's content must outlive it. */
const KEEPING_POLICIES = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** At most this many changed values are listed open per resource; the rest are folded beneath them. */
const MAX_LINES_PER_RESOURCE = 12;

/** The whole report. */
export function buildReport(input: ReviewInput): string {
  const lines: string[] = [];
  lines.push('# Infrastructure review', '');
  lines.push(`Base: ${input.baseLabel} · Head: ${input.headLabel} · ${contextLine(input.context)}`, '');
  for (const note of input.notes ?? []) lines.push(`> ${note}`, '');
  if ((input.warnings ?? []).length > 0) lines.push('The head\'s synth warned:', '', ...input.warnings!.map((w) => `- ${w}`), '');
  if (!input.base) {
    lines.push(
      `> **The base does not synthesize**, so this report covers the head alone.`,
      '>',
      ...quoteBlock(input.baseError ?? 'no error was captured'),
      '',
    );
    lines.push(...headAlone(input.head));
    return finish(lines);
  }
  const stacks = pairStacks(input.base, input.head);
  const pipelines = pipelineChanges(deployedPipelines(input.base), deployedPipelines(input.head));
  lines.push('## Stateful resources', '', ...statefulSection(stacks), '');
  lines.push('## Summary', '', ...stacks.map((s) => `- ${summaryLine(s, pipelines)}`), '');
  lines.push('## Security changes', '', ...securitySection({ stacks, pipelines, base: input.base, head: input.head }), '');
  lines.push('## Pipelines', '', ...pipelineSection(pipelines), '');
  lines.push('## Settings', '', ...settingsSection(input.base, input.head), '');
  lines.push('## Resources', '', ...resourceSection(stacks));
  return finish(lines);
}

function contextLine(context: Readonly<Record<string, string>>): string {
  const entries = Object.entries(context);
  return entries.length === 0 ? 'Context: as each commit\'s cdk.json has it' : `Context: ${entries.map(([k, v]) => `\`-c ${k}=${v}\``).join(' ')}`;
}

function isStateful(resource: TemplateResource | undefined): boolean {
  if (!resource) return false;
  return STATEFUL_TYPES.has(resource.Type) || KEEPING_POLICIES.has(resource.DeletionPolicy ?? '') || KEEPING_POLICIES.has(resource.UpdateReplacePolicy ?? '');
}

const IMPACT_WORDS: Record<ResourceImpact, string> = {
  [ResourceImpact.WILL_CREATE]: 'add',
  [ResourceImpact.WILL_UPDATE]: 'update',
  [ResourceImpact.WILL_REPLACE]: '**replace**',
  [ResourceImpact.MAY_REPLACE]: '**may replace**',
  [ResourceImpact.WILL_DESTROY]: '**delete**',
  [ResourceImpact.WILL_ORPHAN]: '**remove** (retained)',
  [ResourceImpact.WILL_IMPORT]: 'import',
  [ResourceImpact.NO_CHANGE]: 'no change',
};

const LOSING_IMPACTS = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN]);

/** A policy that deletes what a keeping policy kept. */
function weakened(before: string | undefined, after: string | undefined): boolean {
  return KEEPING_POLICIES.has(before ?? '') && !KEEPING_POLICIES.has(after ?? 'Delete');
}

function statefulSection(stacks: readonly StackReview[]): string[] {
  const found: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const before = resourceOf(stack.baseTemplate, logicalId);
      const after = resourceOf(stack.headTemplate, logicalId);
      if (before && after && isStateful(before)) {
        for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
          if (weakened(before[policy], after[policy])) {
            found.push(
              `- ⚠️ **${stack.name}** \`${logicalId}\` (${before.Type}): ${policy} ${before[policy]} → ${after[policy] ?? 'Delete (the default)'}: ` +
                'removing or replacing it later deletes its data',
            );
          }
        }
      }
      if (!LOSING_IMPACTS.has(change.changeImpact) || !isStateful(before)) return;
      const why =
        change.changeImpact === ResourceImpact.WILL_DESTROY || change.changeImpact === ResourceImpact.WILL_ORPHAN
          ? stack.head
            ? 'removed from the template (a changed construct path or id removes it and adds a new one)'
            : 'its stack is removed'
          : `replaced: ${replacingProperties(change).join(', ') || 'its type changed'} changed`;
      const kept = change.changeImpact === ResourceImpact.WILL_ORPHAN ? '; retained, so it stays in the account but leaves CloudFormation' : '';
      found.push(`- ⚠️ **${stack.name}** \`${logicalId}\` (${before!.Type}${policyNote(before!)}): ${why}${kept}`);
    });
  }
  // Without a change set, a replacement caused by a changed value CloudFormation computes at deploy
  // time (a replaced resource's new ARN, say) cannot be foreseen.
  const caveat = 'Judged from the templates alone: replacements that follow from values CloudFormation computes at deploy time are not foreseen.';
  return found.length > 0 ? [...found, '', caveat] : ['No stateful resource is replaced or deleted.', '', caveat];
}

function policyNote(resource: TemplateResource): string {
  return resource.DeletionPolicy ? `, DeletionPolicy ${resource.DeletionPolicy}` : '';
}

function replacingProperties(change: ResourceDifference): string[] {
  return Object.entries(change.propertyUpdates)
    .filter(([, d]) => d.changeImpact === ResourceImpact.WILL_REPLACE || d.changeImpact === ResourceImpact.MAY_REPLACE)
    .map(([name]) => name);
}

function summaryLine(stack: StackReview, pipelines: readonly PipelineChange[]): string {
  const count = (t: StackArtifact | undefined) => Object.keys(t?.template.Resources ?? {}).length;
  if (!stack.base) return `**${stack.name}**: new stack, ${count(stack.head)} resources`;
  if (!stack.head) return `**${stack.name}**: stack removed, ${count(stack.base)} resources`;
  const tally = new Map<string, number>();
  stack.diff.resources.forEachDifference((_id, change) => {
    const word = IMPACT_WORDS[change.changeImpact].replace(/\*\*/g, '').replace(' (retained)', '');
    tally.set(word, (tally.get(word) ?? 0) + 1);
  });
  const order = ['add', 'update', 'replace', 'may replace', 'delete', 'remove', 'import', 'no change'];
  const parts = order.filter((w) => tally.has(w)).map((w) => `${tally.get(w)} to ${w === 'no change' ? 'touch (no property change)' : w}`);
  const changedPipelines = pipelines.filter((p) => p.stack === stack.name && p.status !== 'unchanged').length;
  if (changedPipelines > 0) parts.push(`${changedPipelines} pipeline definition${changedPipelines > 1 ? 's' : ''} changed`);
  const otherSections = templateSectionChanges(stack.diff);
  if (otherSections.length > 0) parts.push(`${otherSections.join(', ')} changed`);
  return `**${stack.name}**: ${parts.length > 0 ? parts.join(', ') : 'no change'}`;
}

/** The template's sections other than Resources that differ. */
function templateSectionChanges(diff: TemplateDiff): string[] {
  const sections: [string, { differenceCount: number }][] = [
    ['outputs', diff.outputs],
    ['parameters', diff.parameters],
    ['mappings', diff.mappings],
    ['conditions', diff.conditions],
  ];
  return sections.filter(([, c]) => c.differenceCount > 0).map(([name]) => name);
}

function pipelineSection(pipelines: readonly PipelineChange[]): string[] {
  if (pipelines.length === 0) return ['No SageMaker pipeline in either synth.'];
  const lines: string[] = [];
  for (const p of pipelines) {
    const title = `### \`${p.name}\` (${p.stack})`;
    switch (p.status) {
      case 'unchanged':
        lines.push(`- \`${p.name}\` (${p.stack}): no change`);
        continue;
      case 'unreadable':
        lines.push(title, '', `The definition could not be read: ${p.error}.`, '');
        continue;
      case 'added':
        lines.push(title, '', `New pipeline with ${p.stepsAdded.length} steps: ${p.stepsAdded.join(', ')}.`, '', ...runtimeTable(p.runtimes), '');
        continue;
      case 'removed':
        lines.push(title, '', `Pipeline removed (${p.stepsRemoved.length} steps).`, '');
        continue;
      default:
        lines.push(title, '');
    }
    for (const step of p.stepsChanged) {
      lines.push(`- **${step.name}** (${step.type}):`, ...step.changes.map((c) => `  - \`${c}\``));
    }
    if (p.stepsAdded.length > 0) lines.push(`- Steps added: ${p.stepsAdded.join(', ')}`, '', ...runtimeTable(p.runtimes), '');
    if (p.stepsRemoved.length > 0) lines.push(`- Steps removed: ${p.stepsRemoved.join(', ')}`);
    if (p.parameters.length > 0) lines.push('- Parameters:', ...p.parameters.map((c) => `  - ${c}`));
    if (p.other.length > 0) lines.push('- Definition:', ...p.other.map((c) => `  - \`${c}\``));
    lines.push('');
  }
  return lines;
}

/** What new steps run and where: image, instance type, network isolation. */
function runtimeTable(runtimes: readonly StepRuntime[]): string[] {
  return table(
    ['Step', 'Type', 'Image', 'Instance type', 'Network isolation'],
    runtimes.map((r) => [r.name, r.type, r.image === '—' ? r.image : `\`${r.image}\``, r.instanceType, r.networkIsolation]),
  );
}

function settingsSection(base: Assembly, head: Assembly): string[] {
  if (!head.settings) return ['The head did not record its settings.'];
  if (!base.settings) return ['The base did not record its settings (it predates the settings record), so they cannot be compared.'];
  const keys = [...new Set([...Object.keys(base.settings), ...Object.keys(head.settings)])].sort();
  const rows = keys
    .filter((k) => !strictEqual(base.settings![k], head.settings![k]))
    .map((k) => [`\`${k}\``, ...formatPair(base.settings![k], head.settings![k])]);
  return rows.length > 0 ? table(['Setting', 'Base', 'Head'], rows) : ['No setting differs.'];
}

function resourceSection(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    const rows: string[][] = [];
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const where = stack.head?.constructPaths.get(logicalId) ?? stack.base?.constructPaths.get(logicalId) ?? '';
      rows.push([IMPACT_WORDS[change.changeImpact], `\`${logicalId}\``, change.resourceType ?? '', where, propertyLines(change, stack).join('<br>')]);
    });
    const sections = templateSectionChanges(stack.diff);
    if (rows.length === 0 && sections.length === 0) continue;
    lines.push(`### ${stack.name}${!stack.base ? ' (new stack)' : !stack.head ? ' (stack removed)' : ''}`, '');
    if (rows.length > 0) lines.push(...table(['Change', 'Logical ID', 'Type', 'Construct', 'Changed values'], rows), '');
    for (const [name, collection] of [
      ['Outputs', stack.diff.outputs],
      ['Parameters', stack.diff.parameters],
      ['Mappings', stack.diff.mappings],
      ['Conditions', stack.diff.conditions],
    ] as const) {
      if (collection.differenceCount === 0) continue;
      const entries: string[] = [];
      collection.forEachDifference((id, d) => entries.push(`${d.isAddition ? '+' : d.isRemoval ? '−' : '~'} \`${id}\``));
      lines.push(`${name}: ${entries.join(', ')}`, '');
    }
  }
  return lines.length > 0 ? lines : ['No resource changes.'];
}

function propertyLines(change: ResourceDifference, stack: StackReview): string[] {
  if (!change.isUpdate) return [];
  const base = stack.basePlaceholders!;
  const head = stack.headPlaceholders!;
  const lines: string[] = [];
  change.forEachDifference((kind, name, diff) => {
    if (kind === 'Other' && name === 'Metadata') return;
    if (change.resourceType === 'AWS::SageMaker::Pipeline' && name === 'PipelineDefinition') {
      lines.push('PipelineDefinition: see Pipelines');
      return;
    }
    const impact =
      'changeImpact' in diff && diff.changeImpact === ResourceImpact.WILL_REPLACE
        ? ' (replaces)'
        : 'changeImpact' in diff && diff.changeImpact === ResourceImpact.MAY_REPLACE
          ? ' (may replace)'
          : '';
    lines.push(...leafChanges(base.render(diff.oldValue), head.render(diff.newValue), name).map((c) => `\`${formatChange(c)}\`${impact}`));
  });
  if (lines.length === 0 && change.otherChanges.Metadata) return ['(metadata only: the construct path)'];
  if (lines.length > MAX_LINES_PER_RESOURCE) {
    // Folded, not cut: every changed value stays in the report.
    const rest = lines.slice(MAX_LINES_PER_RESOURCE);
    return [...lines.slice(0, MAX_LINES_PER_RESOURCE), `<details><summary>${rest.length} more</summary>${rest.join('<br>')}</details>`];
  }
  return lines;
}

/** When the base does not synthesize: what the head holds. */
function headAlone(head: Assembly): string[] {
  const lines = ['## Stacks (head)', ''];
  for (const stack of head.stacks) lines.push(`- **${stack.name}**: ${Object.keys(stack.template.Resources ?? {}).length} resources`);
  lines.push('', '## Pipelines (head)', '');
  const pipelines = deployedPipelines(head);
  if (pipelines.length === 0) lines.push('No SageMaker pipeline.');
  for (const p of pipelines) {
    if (!p.definition) {
      lines.push(`- \`${p.name}\` (${p.stack}): the definition could not be read: ${p.error}.`);
      continue;
    }
    const steps = stepList(p.definition).map((s) => String(s.Name));
    const parameters = (p.definition.Parameters as unknown[] | undefined)?.length ?? 0;
    lines.push(`- \`${p.name}\` (${p.stack}): ${steps.length} steps (${steps.join(', ')}), ${parameters} parameters`);
  }
  return lines;
}

/** The report's text: blank lines between blocks never more than one. */
function finish(lines: readonly string[]): string {
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function quoteBlock(text: string): string[] {
  const tail = text.trim().split('\n').slice(-20);
  return ['> ```', ...tail.map((l) => `> ${l}`), '> ```'];
}
