import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { configReferenceMarkdown } from '../lib/config-reference';
import { mermaidGraph } from '../pipeline-definitions/graph';
import { buildApp, renderedDefinition, SYNTH_VARIANTS } from './helpers';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');

describe('README', () => {
  test('its configuration reference is the one the settings registry makes', () => {
    const match = readme.match(/<!-- config-reference:start[^>]*-->\n([\s\S]*?)\n<!-- config-reference:end -->/);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(configReferenceMarkdown());
  });

  test.each([
    ['bert-pipeline', 'bert-sentiment'],
    ['bert-tuning-pipeline', 'bert-sentiment-tuning'],
    ['blazingtext-pipeline', 'blazingtext-sentiment'],
    ['autopilot-pipeline', 'autopilot-sentiment'],
  ])('its picture of %s is the one the rendered definition of %s makes', (marker, id) => {
    const match = readme.match(new RegExp(`<!-- ${marker}-graph:start -->\n\`\`\`mermaid\n([\\s\\S]*?)\n\`\`\`\n<!-- ${marker}-graph:end -->`));
    expect(match).not.toBeNull();
    expect(match![1]).toBe(mermaidGraph(renderedDefinition({}, id)));
  });

  test('has the two set-up commands, and CI runs the test one', () => {
    expect(readme).toMatch(/^npm ci && npm run synth$/m);
    expect(readme).toMatch(/^npm test$/m);
    const ci = fs.readFileSync(path.join(__dirname, '..', '.ci', 'run'), 'utf-8');
    expect(ci).toMatch(/^npm test$/m);
  });

  test('its first screen: the two set-up commands and the first thing to try, within 40 lines, then the contents', () => {
    const lines = readme.split('\n');
    const firstScreen = lines.slice(0, 40);
    for (const command of ['npm ci && npm run synth', 'npm test', 'npm run pipeline:local -- bert-sentiment']) {
      expect(firstScreen).toContain(command);
    }
    const contents = lines.indexOf('## Contents');
    expect(contents).toBeGreaterThan(lines.indexOf('npm run pipeline:local -- bert-sentiment'));
    // After the contents, the architecture picture comes first.
    const next = lines.findIndex((line, i) => i > contents && line.startsWith('## '));
    expect(lines[next]).toBe('## Architecture');
    expect(lines[next + 2]).toBe('```mermaid');
  });

  test('its contents list every section and subsection after them, each link to its heading', () => {
    const lines = readme.split('\n');
    const contents = lines.indexOf('## Contents');
    let fenced = false;
    const headings: string[] = [];
    lines.slice(contents + 1).forEach((line) => {
      if (line.trimStart().startsWith('```')) fenced = !fenced;
      else if (!fenced && /^#{2,3} /.test(line)) headings.push(line);
    });
    // GitHub's anchors: lowercase, punctuation dropped, spaces to hyphens.
    const anchor = (title: string) => title.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    const expected = headings.map((h) => {
      const [, marks, title] = /^(#+) (.*)$/.exec(h)!;
      return `${marks.length === 3 ? '  ' : ''}- [${title}](#${anchor(title)})`;
    });
    const end = lines.indexOf('', contents + 2);
    expect(lines.slice(contents + 2, end)).toEqual(expected);
  });

  test('names every stack of the full synth in its architecture picture', () => {
    const { app, config, platform } = buildApp(SYNTH_VARIANTS.full);
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.length).toBeGreaterThan(1);
    const diagram = readme.slice(readme.indexOf('```mermaid'), readme.indexOf('```', readme.indexOf('```mermaid') + 3));
    const variants = new Set<Stack>(Object.values(platform.pipelines).filter((p) => p.pipelineId.startsWith('bert-sentiment-')));
    expect(variants.size).toBeGreaterThan(0);
    const familyServing = new Set<Stack>(Object.values(platform.families).flatMap((f) => (f.serving && f.serving !== platform.serving ? [f.serving] : [])));
    expect(familyServing.size).toBeGreaterThan(0);
    for (const stack of stacks) {
      const shown = variants.has(stack)
        ? `${config.namePrefix}-bert-pipeline-&lt;variant&gt;`
        : familyServing.has(stack)
          ? `${config.namePrefix}-serving-&lt;family&gt;`
          : stack.stackName;
      expect(diagram).toContain(shown.replace(`${config.namePrefix}-`, '&lt;prefix&gt;-'));
    }
  });
});
