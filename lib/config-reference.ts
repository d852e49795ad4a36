import { SETTING_AREAS, STAGE_DEFAULTS } from './settings';
import { Setting } from './settings/setting';

function show(value: unknown): string {
  if (value === undefined) return '—';
  return `\`${typeof value === 'object' ? JSON.stringify(value) : String(value)}\``;
}

/**
 * The configuration reference as Markdown, one table per area, made from the settings'
 * declarations so that the README cannot drift from the code (a test compares them).
 */
export function configReferenceMarkdown(): string {
  const defaults = (stage: keyof typeof STAGE_DEFAULTS, key: string) =>
    key === 'stage' ? `\`${stage}\`` : show((STAGE_DEFAULTS[stage] as Record<string, unknown>)[key]);
  return SETTING_AREAS.map(({ title, settings }) => {
    const rows = Object.entries(settings as Record<string, Setting<unknown>>).map(
      ([key, setting]) => `| \`${key}\` | ${setting.type} | ${defaults('dev', key)} | ${defaults('prod', key)} | ${setting.doc} Allowed: ${setting.allowed}. |`,
    );
    return [`**${title}**`, '', '| key | type | dev | prod | what it does |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
  }).join('\n\n');
}

if (require.main === module) {
  process.stdout.write(`${configReferenceMarkdown()}\n`);
}
