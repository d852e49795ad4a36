/**
 * A Mermaid picture of a rendered pipeline definition: one node per step, an edge for every data
 * reference (`Get` of a step property, `Std:JsonGet` of a property file) and `DependsOn`, and the
 * Condition's branches labelled. The README's picture is this output (a test keeps them equal).
 */
import * as fs from 'fs';

interface RenderedStep {
  readonly Name: string;
  readonly Type: string;
  readonly DependsOn?: readonly string[];
  readonly Arguments?: any;
}

function referencedSteps(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedSteps(v, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Get' && typeof member === 'string' && member.startsWith('Steps.')) {
        found.add(member.split('.')[1]);
      } else if (key !== 'IfSteps' && key !== 'ElseSteps') {
        referencedSteps(member, found);
      }
    }
  }
  return found;
}

/** The Mermaid flowchart of a rendered definition. */
export function mermaidGraph(definition: { Steps: readonly RenderedStep[] }): string {
  const lines = ['flowchart TD'];
  const edges = new Set<string>();
  const visit = (steps: readonly RenderedStep[]) => {
    for (const step of steps) {
      const shape = step.Type === 'Condition' ? `{${step.Name}}` : step.Type === 'Fail' ? `[/${step.Name}/]` : `[${step.Name}<br/>${step.Type}]`;
      lines.push(`  ${step.Name}${shape}`);
      for (const source of [...referencedSteps(step.Arguments), ...(step.DependsOn ?? [])]) {
        edges.add(`  ${source} --> ${step.Name}`);
      }
      if (step.Type === 'Condition') {
        for (const [branch, label] of [['IfSteps', 'true'], ['ElseSteps', 'false']] as const) {
          const first = (step.Arguments?.[branch] ?? []) as RenderedStep[];
          for (const child of first) {
            const readsSibling = [...referencedSteps(child.Arguments), ...(child.DependsOn ?? [])].some((n) => first.some((s) => s.Name === n));
            if (!readsSibling) edges.add(`  ${step.Name} -- ${label} --> ${child.Name}`);
          }
          visit(first);
        }
      }
    }
  };
  visit(definition.Steps);
  return [...lines, ...[...edges].sort()].join('\n');
}

if (require.main === module) {
  // A rendering of `npm run render` (build/pipeline-definitions/<id>.json).
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: ts-node pipeline-definitions/graph.ts <rendering.json>\n');
    process.exit(2);
  }
  process.stdout.write(`${mermaidGraph(JSON.parse(fs.readFileSync(file, 'utf-8')))}\n`);
}
