/**
 * The stacks of two synths paired by name and diffed with CDK's own engine, and the small
 * helpers the report's sections share.
 */
import { fullDiff, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { Assembly, StackArtifact, Template, TemplateResource, templatesByStack } from './assembly';
import { Placeholders } from './placeholders';

export interface StackReview {
  readonly name: string;
  readonly base?: StackArtifact;
  readonly head?: StackArtifact;
  /**
   * The templates as the diff engine compared them: references to other stacks read alike however
   * they are wired (`Fn::ImportValue`, `Fn::GetStackOutput`).
   */
  readonly baseTemplate: Template;
  readonly headTemplate: Template;
  readonly diff: TemplateDiff;
  /** Renders deploy-time values of the base's and the head's template as placeholders. */
  readonly basePlaceholders?: Placeholders;
  readonly headPlaceholders?: Placeholders;
}

/** Every stack of either synth, with its diff (a stack only one side has is diffed against nothing). */
export function pairStacks(base: Assembly, head: Assembly): StackReview[] {
  const baseByName = new Map(base.stacks.map((s) => [s.name, s]));
  const headNames = new Set(head.stacks.map((s) => s.name));
  const pairs = [
    ...head.stacks.map((h) => ({ name: h.name, base: baseByName.get(h.name), head: h })),
    ...base.stacks.filter((b) => !headNames.has(b.name)).map((b) => ({ name: b.name, base: b, head: undefined })),
  ];
  const baseTemplates = templatesByStack(base);
  const headTemplates = templatesByStack(head);
  return pairs.map((pair) => {
    const basePlaceholders = pair.base ? new Placeholders(baseTemplates, pair.name) : undefined;
    const headPlaceholders = pair.head ? new Placeholders(headTemplates, pair.name) : undefined;
    // Copies, too: the diff engine may normalize what it is given.
    const baseTemplate = (basePlaceholders?.localize(pair.base!.template) ?? {}) as Template;
    const headTemplate = (headPlaceholders?.localize(pair.head!.template) ?? {}) as Template;
    return { ...pair, baseTemplate, headTemplate, basePlaceholders, headPlaceholders, diff: fullDiff(baseTemplate, headTemplate) };
  });
}

/** A resource of the base's or the head's template (as compared). */
export function resourceOf(template: Template, logicalId: string): TemplateResource | undefined {
  return template.Resources?.[logicalId];
}

/** A Markdown table; cells have their pipes escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
