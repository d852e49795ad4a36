import { PlatformConfig, SETTINGS, STAGE_DEFAULTS } from './config';

function show(value: unknown): string {
  if (value === undefined) return '—';
  return `\`${typeof value === 'object' ? JSON.stringify(value) : String(value)}\``;
}

/**
 * The configuration reference as a Markdown table, made from the settings registry so that the
 * README cannot drift from the code (a test compares them).
 */
export function configReferenceMarkdown(): string {
  const rows = (Object.keys(SETTINGS) as (keyof PlatformConfig)[]).map((key) => {
    const setting = SETTINGS[key];
    const dev = key === 'stage' ? '`dev`' : show(STAGE_DEFAULTS.dev[key as keyof typeof STAGE_DEFAULTS.dev]);
    const prod = key === 'stage' ? '`prod`' : show(STAGE_DEFAULTS.prod[key as keyof typeof STAGE_DEFAULTS.prod]);
    return `| \`${key}\` | ${setting.type} | ${dev} | ${prod} | ${setting.doc} Allowed: ${setting.allowed}. |`;
  });
  return ['| key | type | dev | prod | what it does |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

if (require.main === module) {
  process.stdout.write(`${configReferenceMarkdown()}\n`);
}
