/**
 * The review report: what a change does to the platform, as Markdown, from the cloud assemblies
 * of the base and the head. Resource, IAM and security-group changes come from CDK's own diff
 * engine (`@aws-cdk/cloudformation-diff`); the pipeline definitions are compared step by step.
 */
import { deepEqual, fullDiff, ResourceDifference, ResourceImpact, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { Acknowledgement, Assembly, deployedPipelines, StackArtifact, Template, TemplateResource, templatesByStack } from './assembly';
import { formatChange, formatValue, leafChanges } from './leaf-changes';
import { PipelineChange, pipelineChanges, stepList } from './pipeline-changes';
import { Placeholders } from './placeholders';

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
]);

/** Deletion policies that say the resource's content must outlive it. */
const KEEPING_POLICIES = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** Properties that decide who can reach a resource from outside, by resource type. */
export const EXPOSURE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::S3::Bucket': ['PublicAccessBlockConfiguration', 'AccessControl', 'OwnershipControls'],
  'AWS::S3::AccessPoint': ['PublicAccessBlockConfiguration', 'VpcConfiguration'],
  'AWS::Lambda::Url': ['AuthType', 'Cors'],
  'AWS::SageMaker::Domain': ['AppNetworkAccessType'],
  'AWS::SageMaker::NotebookInstance': ['DirectInternetAccess'],
  'AWS::SageMaker::Model': ['EnableNetworkIsolation', 'VpcConfig'],
  'AWS::ApiGateway::Method': ['AuthorizationType', 'AuthorizerId'],
  'AWS::ApiGatewayV2::Route': ['AuthorizationType', 'AuthorizerId'],
  'AWS::Cognito::UserPool': ['AdminCreateUserConfig'],
  'AWS::Cognito::UserPoolClient': ['AllowedOAuthFlows', 'CallbackURLs'],
};

/** At most this many changed values are listed per resource; the rest are counted. */
const MAX_LINES_PER_RESOURCE = 12;

interface StackReview {
  readonly name: string;
  readonly base?: StackArtifact;
  readonly head?: StackArtifact;
  readonly diff: TemplateDiff;
}

/** The whole report. */
export function buildReport(input: ReviewInput): string {
  const lines: string[] = [];
  lines.push('# Infrastructure review', '');
  lines.push(`Base: ${input.baseLabel} · Head: ${input.headLabel} · ${contextLine(input.context)}`, '');
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
  lines.push('## Security changes', '', ...securitySection(stacks, input), '');
  lines.push('## Pipelines', '', ...pipelineSection(pipelines), '');
  lines.push('## Settings', '', ...settingsSection(input.base, input.head), '');
  lines.push('## Resources', '', ...resourceSection(stacks, input));
  return finish(lines);
}

function contextLine(context: Readonly<Record<string, string>>): string {
  const entries = Object.entries(context);
  return entries.length === 0 ? 'Context: as each commit\'s cdk.json has it' : `Context: ${entries.map(([k, v]) => `\`-c ${k}=${v}\``).join(' ')}`;
}

function pairStacks(base: Assembly, head: Assembly): StackReview[] {
  const baseByName = new Map(base.stacks.map((s) => [s.name, s]));
  const headNames = new Set(head.stacks.map((s) => s.name));
  const pairs = [
    ...head.stacks.map((h) => ({ name: h.name, base: baseByName.get(h.name), head: h })),
    ...base.stacks.filter((b) => !headNames.has(b.name)).map((b) => ({ name: b.name, base: b, head: undefined })),
  ];
  // Copies (the diff engine may normalize what it is given) in which references to other stacks
  // read alike however they are wired.
  const copy = (assembly: Assembly, stack: StackArtifact | undefined) =>
    stack ? (placeholdersFor(assembly, stack.name).localize(stack.template) as Template) : {};
  return pairs.map((p) => ({ ...p, diff: fullDiff(copy(base, p.base), copy(head, p.head)) }));
}

function resourceOf(stack: StackArtifact | undefined, logicalId: string): TemplateResource | undefined {
  return stack?.template.Resources?.[logicalId];
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

function statefulSection(stacks: readonly StackReview[]): string[] {
  const found: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const before = resourceOf(stack.base, logicalId);
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
  return found.length > 0 ? found : ['No stateful resource is replaced or deleted.'];
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

function securitySection(stacks: readonly StackReview[], input: ReviewInput): string[] {
  const lines: string[] = [];
  const statements: string[][] = [];
  const managed: string[][] = [];
  const groups: string[][] = [];
  for (const stack of stacks) {
    const iam = stack.diff.iamChanges;
    for (const [sign, list] of [['+', iam.statements.additions], ['-', iam.statements.removals]] as const) {
      for (const statement of list) {
        const r = statement.render();
        statements.push([sign, stack.name, r.effect, r.action, r.resource, r.principal, r.condition]);
      }
    }
    for (const [sign, list] of [['+', iam.managedPolicies.additions], ['-', iam.managedPolicies.removals]] as const) {
      for (const attachment of list) managed.push([sign, stack.name, attachment.identityArn, attachment.managedPolicyArn]);
    }
    const sg = stack.diff.securityGroupChanges;
    for (const [sign, direction, list] of [
      ['+', 'ingress', sg.ingress.additions],
      ['-', 'ingress', sg.ingress.removals],
      ['+', 'egress', sg.egress.additions],
      ['-', 'egress', sg.egress.removals],
    ] as const) {
      for (const rule of list) groups.push([sign, stack.name, rule.groupId, direction, rule.describeProtocol(), rule.describePeer()]);
    }
  }
  const { changed, newAssetVersions } = withoutAssetVersionChanges(statements);
  if (changed.length > 0) {
    lines.push('### IAM statements', '', ...table(['', 'Stack', 'Effect', 'Action', 'Resource', 'Principal', 'Condition'], changed), '');
  }
  if (managed.length > 0) lines.push('### Managed policies', '', ...table(['', 'Stack', 'Identity', 'Managed policy'], managed), '');
  if (groups.length > 0) lines.push('### Security groups', '', ...table(['', 'Stack', 'Group', 'Direction', 'Protocol', 'Peer'], groups), '');
  const keyPolicies = keyPolicyChanges(stacks);
  if (keyPolicies.length > 0) lines.push('### KMS key policies', '', ...keyPolicies, '');
  const exposure = exposureChanges(stacks, input);
  if (exposure.length > 0) lines.push('### Public access and isolation', '', ...exposure, '');
  const acks = acknowledgementChanges(stacks);
  if (acks.length > 0) lines.push('### cdk-nag acknowledgements', '', ...acks, '');
  if (lines.length === 0) lines.push('No IAM or security changes.');
  if (newAssetVersions > 0) {
    lines.push(
      '',
      `(${newAssetVersions} IAM statement${newAssetVersions > 1 ? 's differ' : ' differs'} only in the content hash of a CDK asset: the same permission on the asset's new version.)`,
    );
  }
  return lines;
}

/** A CDK asset's content hash, as asset object keys and names carry it. */
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

/**
 * Pairs of an added and a removed statement that differ only in an asset's content hash (a
 * statement that grants the same access to the new version of an asset): left out, and counted.
 */
function withoutAssetVersionChanges(rows: readonly string[][]): { changed: string[][]; newAssetVersions: number } {
  const key = (row: readonly string[]) => row.slice(1).join('\u0000').replace(ASSET_HASH, '<asset>');
  const removed = rows.filter((r) => r[0] === '-');
  const dropped = new Set<readonly string[]>();
  for (const added of rows.filter((r) => r[0] === '+')) {
    const twin = removed.find((r) => !dropped.has(r) && key(r) === key(added));
    if (twin) dropped.add(added).add(twin);
  }
  return { changed: rows.filter((r) => !dropped.has(r)), newAssetVersions: dropped.size / 2 };
}

/**
 * The keys whose policy changed. The diff engine reads key policies as resource policies, so
 * their statements are in the IAM table; this names the keys.
 */
function keyPolicyChanges(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      if (change.resourceType !== 'AWS::KMS::Key') return;
      const policy = (side: StackArtifact | undefined) => resourceOf(side, logicalId)?.Properties?.KeyPolicy;
      const [before, after] = [policy(stack.base), policy(stack.head)];
      if (deepEqual(before, after)) return;
      const what = before === undefined ? 'new key' : after === undefined ? 'key removed' : 'key policy changed';
      lines.push(`- **${stack.name}** \`${logicalId}\`: ${what} (its statements are in the IAM table)`);
    });
  }
  return lines;
}

function exposureChanges(stacks: readonly StackReview[], input: ReviewInput): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const watched = EXPOSURE_PROPERTIES[change.resourceType ?? ''];
      if (!watched) return;
      const props = (side: 'base' | 'head') => resourceOf(stack[side], logicalId)?.Properties ?? {};
      for (const name of watched) {
        const [before, after] = [props('base')[name], props('head')[name]];
        if (deepEqual(before, after)) continue;
        const rendered = (side: 'base' | 'head', value: unknown) => (input[side] ? placeholdersFor(input[side]!, stack.name).render(value) : value);
        const changes = leafChanges(rendered('base', before), rendered('head', after), name).map(formatChange);
        lines.push(`- **${stack.name}** \`${logicalId}\` (${change.resourceType}): ${changes.join('; ')}`);
      }
    });
  }
  return lines;
}

function acknowledgementChanges(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  const key = (a: Acknowledgement) => `${a.path}\u0000${a.id}`;
  for (const stack of stacks) {
    const before = new Map((stack.base?.acknowledgements ?? []).map((a) => [key(a), a]));
    const after = new Map((stack.head?.acknowledgements ?? []).map((a) => [key(a), a]));
    for (const [k, a] of after) {
      const old = before.get(k);
      if (!old) lines.push(`- + \`${a.id}\` on \`${a.path}\`: ${a.reason}`);
      else if (old.reason !== a.reason) lines.push(`- ~ \`${a.id}\` on \`${a.path}\`: reason now "${a.reason}"`);
    }
    for (const [k, a] of before) if (!after.has(k)) lines.push(`- − \`${a.id}\` on \`${a.path}\``);
  }
  return lines;
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
        lines.push(title, '', `New pipeline with ${p.stepsAdded.length} steps: ${p.stepsAdded.join(', ')}.`, '');
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
    if (p.stepsAdded.length > 0) lines.push(`- Steps added: ${p.stepsAdded.join(', ')}`);
    if (p.stepsRemoved.length > 0) lines.push(`- Steps removed: ${p.stepsRemoved.join(', ')}`);
    if (p.parameters.length > 0) lines.push('- Parameters:', ...p.parameters.map((c) => `  - ${c}`));
    if (p.other.length > 0) lines.push('- Definition:', ...p.other.map((c) => `  - \`${c}\``));
    lines.push('');
  }
  return lines;
}

function settingsSection(base: Assembly, head: Assembly): string[] {
  if (!head.settings) return ['The head did not record its settings.'];
  if (!base.settings) return ['The base did not record its settings (it predates the settings record), so they cannot be compared.'];
  const keys = [...new Set([...Object.keys(base.settings), ...Object.keys(head.settings)])].sort();
  const rows = keys
    .filter((k) => !deepEqual(base.settings![k], head.settings![k]))
    .map((k) => [`\`${k}\``, formatValue(base.settings![k]), formatValue(head.settings![k])]);
  return rows.length > 0 ? table(['Setting', 'Base', 'Head'], rows) : ['No setting differs.'];
}

function resourceSection(stacks: readonly StackReview[], input: ReviewInput): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    const { base, head } = stack;
    if (!base || !head) continue;
    const rows: string[][] = [];
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const where = head.constructPaths.get(logicalId) ?? base.constructPaths.get(logicalId) ?? '';
      rows.push([IMPACT_WORDS[change.changeImpact], `\`${logicalId}\``, change.resourceType ?? '', where, propertyLines(change, stack, input).join('<br>')]);
    });
    const sections = templateSectionChanges(stack.diff);
    if (rows.length === 0 && sections.length === 0) continue;
    lines.push(`### ${stack.name}`, '');
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

function propertyLines(change: ResourceDifference, stack: StackReview, input: ReviewInput): string[] {
  if (!change.isUpdate) return [];
  const base = placeholdersFor(input.base!, stack.name);
  const head = placeholdersFor(input.head, stack.name);
  const lines: string[] = [];
  change.forEachDifference((kind, name, diff) => {
    if (kind === 'Other' && name === 'Metadata') return;
    if (change.resourceType === 'AWS::SageMaker::Pipeline' && name === 'PipelineDefinition') {
      lines.push('PipelineDefinition: see Pipelines');
      return;
    }
    const impact = 'changeImpact' in diff && diff.changeImpact === ResourceImpact.WILL_REPLACE ? ' (replaces)' : '';
    lines.push(...leafChanges(base.render(diff.oldValue), head.render(diff.newValue), name).map((c) => `\`${formatChange(c)}\`${impact}`));
  });
  if (lines.length > MAX_LINES_PER_RESOURCE) {
    return [...lines.slice(0, MAX_LINES_PER_RESOURCE), `… and ${lines.length - MAX_LINES_PER_RESOURCE} more`];
  }
  return lines;
}

const placeholderCache = new WeakMap<Assembly, Map<string, Placeholders>>();
function placeholdersFor(assembly: Assembly, stack: string): Placeholders {
  let byStack = placeholderCache.get(assembly);
  if (!byStack) placeholderCache.set(assembly, (byStack = new Map()));
  let found = byStack.get(stack);
  if (!found) byStack.set(stack, (found = new Placeholders(templatesByStack(assembly), stack)));
  return found;
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

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function quoteBlock(text: string): string[] {
  const tail = text.trim().split('\n').slice(-20);
  return ['> ```', ...tail.map((l) => `> ${l}`), '> ```'];
}
