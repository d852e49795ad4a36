/**
 * The report's security section: IAM statements and managed policies, security groups (from the
 * diff engine), KMS key policies, properties that decide exposure, encryption, isolation and
 * identity, pipeline steps that change those, and cdk-nag acknowledgements.
 */
import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { Acknowledgement, Assembly } from './assembly';
import { formatChange, leafChanges, strictEqual } from './leaf-changes';
import { PipelineChange } from './pipeline-changes';
import { resourceOf, StackReview, table } from './stack-review';

/** Properties that decide who can reach a resource from outside, by resource type. */
export const EXPOSURE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::S3::Bucket': ['PublicAccessBlockConfiguration', 'AccessControl', 'OwnershipControls'],
  'AWS::S3::AccessPoint': ['PublicAccessBlockConfiguration', 'VpcConfiguration'],
  'AWS::Lambda::Url': ['AuthType', 'Cors'],
  'AWS::SageMaker::Domain': ['AppNetworkAccessType'],
  'AWS::SageMaker::NotebookInstance': ['DirectInternetAccess'],
  'AWS::ApiGateway::Method': ['AuthorizationType', 'AuthorizerId'],
  'AWS::ApiGatewayV2::Route': ['AuthorizationType', 'AuthorizerId'],
  'AWS::Cognito::UserPool': ['AdminCreateUserConfig'],
  'AWS::Cognito::UserPoolClient': ['AllowedOAuthFlows', 'CallbackURLs'],
};

/**
 * Property names, on any resource and in any pipeline step's arguments, that say which identity
 * it runs as, how its data is encrypted, or how it is isolated.
 */
export const GUARD_PROPERTY = /(^|\.)(\w*RoleArn|Role|ServiceRole|PermissionsBoundary|\w*Kms\w*|\w*KMS\w*|\w*Encryption\w*|EncryptionKey|EnableNetworkIsolation|EnableInterContainerTrafficEncryption|VpcConfig\w*|NetworkConfig)(\.|\[|$)/;

export interface SecurityInput {
  readonly stacks: readonly StackReview[];
  readonly pipelines: readonly PipelineChange[];
  readonly base: Assembly;
  readonly head: Assembly;
}

export function securitySection({ stacks, pipelines, base, head }: SecurityInput): string[] {
  const lines: string[] = [];
  const { statements, newAssetVersions } = iamStatementRows(stacks, base, head);
  const acks = acknowledgementChanges(stacks);
  const widened = widenings(stacks, statements, acks);
  if (widened.length > 0) lines.push('### ⚠️ What widens access', '', ...widened, '');
  if (statements.length > 0) {
    lines.push('### IAM statements', '', ...table(['', 'Stack', 'Effect', 'Action', 'Resource', 'Principal', 'Condition'], statements), '');
  }
  const managed = stacks.flatMap((stack) => {
    const { additions, removals } = stack.diff.iamChanges.managedPolicies;
    return [...additions.map((a) => ['+', stack.name, a.identityArn, a.managedPolicyArn]), ...removals.map((a) => ['-', stack.name, a.identityArn, a.managedPolicyArn])];
  });
  if (managed.length > 0) lines.push('### Managed policies', '', ...table(['', 'Stack', 'Identity', 'Managed policy'], managed), '');
  const groups = stacks.flatMap((stack) => {
    const sg = stack.diff.securityGroupChanges;
    return (
      [
        ['+', 'ingress', sg.ingress.additions],
        ['-', 'ingress', sg.ingress.removals],
        ['+', 'egress', sg.egress.additions],
        ['-', 'egress', sg.egress.removals],
      ] as const
    ).flatMap(([sign, direction, rules]) => rules.map((rule) => [sign, stack.name, rule.groupId, direction, rule.describeProtocol(), rule.describePeer()]));
  });
  if (groups.length > 0) lines.push('### Security groups', '', ...table(['', 'Stack', 'Group', 'Direction', 'Protocol', 'Peer'], groups), '');
  const keyPolicies = keyPolicyChanges(stacks);
  if (keyPolicies.length > 0) lines.push('### KMS key policies', '', ...keyPolicies, '');
  const guarded = guardChanges(stacks);
  if (guarded.length > 0) lines.push('### Exposure, encryption, isolation and identity', '', ...guarded, '');
  const steps = pipelineGuardChanges(pipelines);
  if (steps.length > 0) lines.push('### Pipeline steps: encryption, isolation and identity', '', ...steps, '');
  const acksMovedOnly = acks[0] === '';
  if (acks.length > 0 && !acksMovedOnly) lines.push('### cdk-nag acknowledgements', '', ...acks, '');
  if (lines.length === 0) lines.push('No IAM or security changes.');
  if (acksMovedOnly) lines.push(...acks);
  if (newAssetVersions.length > 0) {
    const n = newAssetVersions.length / 2;
    lines.push(
      '',
      `<details><summary>${n} IAM statement${n > 1 ? 's differ' : ' differs'} only in the content hash of an asset of the app: the same permission on the asset's new version</summary>`,
      '',
      ...table(['', 'Stack', 'Effect', 'Action', 'Resource', 'Principal', 'Condition'], newAssetVersions),
      '',
      '</details>',
    );
  }
  return lines;
}

/** A 64-digit content hash, as CDK asset object keys carry them. */
const HASH = /\b[0-9a-f]{64}\b/g;

/**
 * The IAM statements added and removed. A removed and an added statement that differ only in the
 * content hash of an asset — the base's asset in the removed one, the head's in the added one —
 * grant the same access to a new build of the same asset: they are set apart, not hidden.
 */
function iamStatementRows(stacks: readonly StackReview[], base: Assembly, head: Assembly): { statements: string[][]; newAssetVersions: string[][] } {
  const rows = stacks.flatMap((stack) => {
    const { additions, removals } = stack.diff.iamChanges.statements;
    const row = (sign: string, r: ReturnType<(typeof additions)[number]['render']>) => [sign, stack.name, r.effect, r.action, r.resource, r.principal, r.condition];
    return [...additions.map((s) => row('+', s.render())), ...removals.map((s) => row('-', s.render()))];
  });
  const key = (row: readonly string[]) => row.slice(1).join('\u0000').replace(HASH, '<asset>');
  const hashesAreAssetsOf = (row: readonly string[], assembly: Assembly) => (row.join(' ').match(HASH) ?? []).every((h) => assembly.assetHashes.has(h));
  const removed = rows.filter((r) => r[0] === '-' && hashesAreAssetsOf(r, base));
  const paired = new Set<readonly string[]>();
  for (const added of rows.filter((r) => r[0] === '+' && hashesAreAssetsOf(r, head))) {
    const twin = removed.find((r) => !paired.has(r) && key(r) === key(added) && r.join(' ').match(HASH) !== null);
    if (twin) paired.add(twin).add(added);
  }
  return { statements: rows.filter((r) => !paired.has(r)), newAssetVersions: rows.filter((r) => paired.has(r)) };
}

/** The lines of a rendered statement's cell (the diff engine puts one value a line). */
const cellValues = (cell: string) => cell.split('\n').filter((v) => v !== '');

/** Whether a wildcard pattern (IAM's `*` and `?`) covers a value. */
function covers(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** Every statement of a stack's base template, rendered as the diff engine renders changes. */
function baseStatements(stack: StackReview): { action: string; resource: string; principal: string; effect: string }[] {
  return fullDiff({}, stack.baseTemplate).iamChanges.statements.additions.map((statement) => statement.render());
}

/**
 * What widens access, for the top of the security section: an allowing statement with a new
 * wildcard in an action or a resource, or a resource broader than one its principal had (a
 * shorter prefix), or a principal the stack allowed nothing before; a managed policy attached; an
 * ingress rule added; a cdk-nag acknowledgement added. Each statement is compared with every
 * statement that allowed the same principal in the base's template of its stack.
 */
function widenings(stacks: readonly StackReview[], statements: readonly string[][], acks: readonly string[]): string[] {
  const lines: string[] = [];
  const byStack = new Map(stacks.map((s) => [s.name, s]));
  const had = new Map<string, ReturnType<typeof baseStatements>>();
  for (const row of statements) {
    const [sign, stackName, effect, action, resource, principal] = row;
    if (sign !== '+' || effect !== 'Allow') continue;
    if (!had.has(stackName)) had.set(stackName, byStack.get(stackName) ? baseStatements(byStack.get(stackName)!) : []);
    const before = had.get(stackName)!.filter((r) => r.effect === 'Allow' && r.principal === principal);
    const hadActions = new Set(before.flatMap((r) => cellValues(r.action)));
    const hadResources = before.flatMap((r) => cellValues(r.resource));
    const reasons: string[] = [];
    const wildActions = cellValues(action).filter((a) => a.includes('*') && !hadActions.has(a));
    if (wildActions.length > 0) reasons.push(`new wildcard action ${wildActions.map((a) => `\`${a}\``).join(', ')}`);
    for (const r of cellValues(resource)) {
      if (!r.includes('*') || hadResources.includes(r)) continue;
      const narrower = hadResources.filter((h) => h !== r && covers(r, h));
      reasons.push(narrower.length > 0 ? `broader resource \`${narrower.join('`, `')}\` → \`${r}\`` : `new wildcard resource \`${r}\``);
    }
    if (before.length === 0) reasons.push(`new principal \`${cellValues(principal).join(' ')}\``);
    if (reasons.length > 0) {
      lines.push(`- **${stackName}** Allow \`${cellValues(action).join(' ')}\` on \`${cellValues(resource).join(' ')}\` to \`${cellValues(principal).join(' ')}\`: ${reasons.join('; ')}`);
    }
  }
  for (const stack of stacks) {
    for (const policy of stack.diff.iamChanges.managedPolicies.additions) {
      lines.push(`- **${stack.name}** managed policy \`${policy.managedPolicyArn}\` attached to \`${policy.identityArn}\``);
    }
    for (const rule of stack.diff.securityGroupChanges.ingress.additions) {
      lines.push(`- **${stack.name}** ingress to \`${rule.groupId}\` from ${rule.describePeer()} (${rule.describeProtocol()})`);
    }
  }
  lines.push(...acks.filter((line) => line.startsWith('- + ')).map((line) => `- acknowledgement added: ${line.slice('- + '.length)}`));
  return lines;
}

/** The keys whose policy changed; the diff engine reads key policies, so their statements are in the IAM table. */
function keyPolicyChanges(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      if (change.resourceType !== 'AWS::KMS::Key') return;
      const [before, after] = [resourceOf(stack.baseTemplate, logicalId), resourceOf(stack.headTemplate, logicalId)];
      if (strictEqual(before?.Properties?.KeyPolicy, after?.Properties?.KeyPolicy)) return;
      const what = !before ? 'new key' : !after ? 'key removed' : 'key policy changed';
      lines.push(`- **${stack.name}** \`${logicalId}\`: ${what} (its statements are in the IAM table)`);
    });
  }
  return lines;
}

/** Changes of exposure properties (by type) and of identity, encryption and isolation properties (any type). */
function guardChanges(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  for (const stack of stacks) {
    stack.diff.resources.forEachDifference((logicalId, change) => {
      const type = change.resourceType ?? '';
      const before = resourceOf(stack.baseTemplate, logicalId)?.Properties ?? {};
      const after = resourceOf(stack.headTemplate, logicalId)?.Properties ?? {};
      const exposure = new Set(EXPOSURE_PROPERTIES[type] ?? []);
      const changes = [...new Set([...Object.keys(after), ...Object.keys(before)])]
        .flatMap((name) =>
          leafChanges(stack.basePlaceholders?.render(before[name]), stack.headPlaceholders?.render(after[name]), name).filter(
            (c) => exposure.has(name) || GUARD_PROPERTY.test(c.label),
          ),
        )
        .map(formatChange);
      if (changes.length > 0) lines.push(`- **${stack.name}** \`${logicalId}\` (${type}): ${changes.map((c) => `\`${c}\``).join('; ')}`);
    });
  }
  return lines;
}

/** Changed step arguments that name an identity, a key or an isolation setting. */
function pipelineGuardChanges(pipelines: readonly PipelineChange[]): string[] {
  return pipelines.flatMap((p) =>
    p.stepsChanged.flatMap((step) => {
      const guarded = step.changes.filter((c) => GUARD_PROPERTY.test(c.split(' ')[0]));
      return guarded.length > 0 ? [`- \`${p.name}\` **${step.name}**: ${guarded.map((c) => `\`${c}\``).join('; ')}`] : [];
    }),
  );
}

/**
 * Acknowledgements added, removed or with a new reason. One removed and one added with the same
 * finding and reason moved with their construct (a new construct path): they are listed apart.
 */
function acknowledgementChanges(stacks: readonly StackReview[]): string[] {
  const lines: string[] = [];
  const moved: string[] = [];
  const key = (a: Acknowledgement) => `${a.path}\u0000${a.id}`;
  for (const stack of stacks) {
    const before = new Map((stack.base?.acknowledgements ?? []).map((a) => [key(a), a]));
    const after = new Map((stack.head?.acknowledgements ?? []).map((a) => [key(a), a]));
    const removed = [...before].filter(([k]) => !after.has(k)).map(([, a]) => a);
    for (const [k, a] of after) {
      const old = before.get(k);
      if (old) {
        if (old.reason !== a.reason) lines.push(`- ~ \`${a.id}\` on \`${a.path}\`: reason now "${a.reason}"`);
        continue;
      }
      const from = removed.findIndex((r) => r.id === a.id && r.reason === a.reason);
      if (from >= 0) {
        moved.push(`- \`${a.id}\`: \`${removed[from].path}\` → \`${a.path}\``);
        removed.splice(from, 1);
      } else {
        lines.push(`- + \`${a.id}\` on \`${a.path}\`: ${a.reason}`);
      }
    }
    for (const a of removed) lines.push(`- − \`${a.id}\` on \`${a.path}\``);
  }
  if (moved.length > 0) {
    lines.push('', `<details><summary>${moved.length} acknowledgement${moved.length > 1 ? 's' : ''} moved with their constructs (the same finding, the same reason)</summary>`, '', ...moved, '', '</details>');
  }
  return lines;
}
