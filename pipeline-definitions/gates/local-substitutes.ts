/**
 * How the managed engine's checks run where their services do not (the local runner): each
 * through the open gate of the same check, reading the check's own inputs and writing its
 * reports where the check would, so the steps after it read them as they read the service's.
 */
import { REPORT_FILES } from '../contract';
import type { Substitution } from '../rendering/local-settings';

/** The open gate of each managed check type: its command, input, options and reports. */
const SUBSTITUTES: Record<string, { gate: string; option: string; input: string; extra: string[]; supplied: boolean; reports: Record<string, string> }> = {
  DATA_BIAS: { gate: 'data-bias', option: '--data-dir', input: 'dataset', extra: [], supplied: true, reports: { Constraints: REPORT_FILES.bias } },
  MODEL_BIAS: { gate: 'model-bias', option: '--predictions-dir', input: 'dataset', extra: [], supplied: true, reports: { Constraints: REPORT_FILES.bias } },
  DATA_QUALITY: {
    gate: 'data-quality',
    option: '--data-dir',
    input: 'baseline_dataset_input',
    extra: ['--register-new-baseline', '{registerNewBaseline}'],
    supplied: false,
    reports: { Constraints: REPORT_FILES.constraints, Statistics: REPORT_FILES.statistics },
  },
  MODEL_QUALITY: {
    gate: 'model-quality',
    option: '--predictions-dir',
    input: 'baseline_dataset_input',
    extra: ['--register-new-baseline', '{registerNewBaseline}'],
    supplied: true,
    reports: { Constraints: REPORT_FILES.constraints, Statistics: REPORT_FILES.statistics },
  },
  MODEL_EXPLAINABILITY: {
    gate: 'explainability',
    option: '--data-dir',
    input: 'dataset',
    extra: ['--model-dir', '{model}'],
    supplied: false,
    reports: { Constraints: REPORT_FILES.explainability },
  },
};

/**
 * The substitutions of a definition's managed checks (ClarifyCheck and QualityCheck steps), by
 * step name; `scaled` adds the gate options a pipeline scales for this machine, by check type.
 */
export function managedCheckSubstitutions(
  steps: readonly Record<string, unknown>[],
  codeUri: string,
  scaled: Readonly<Record<string, readonly string[]>> = {},
): Record<string, Substitution> {
  const substitutions: Record<string, Substitution> = {};
  for (const step of steps) {
    if (step.Type !== 'ClarifyCheck' && step.Type !== 'QualityCheck') continue;
    const substitute = SUBSTITUTES[String(step.CheckType)];
    if (!substitute) throw new Error(`step ${String(step.Name)}: check type ${String(step.CheckType)} has no open-engine substitute`);
    substitutions[String(step.Name)] = {
      description: `open engine: quality_gate.py ${substitute.gate} (no ${String(step.Type)} service here)`,
      command: [
        '{python}', `{s3:${codeUri}}quality_gate.py`, substitute.gate,
        substitute.option, `{input:${substitute.input}}`, '--output-dir', '{output}', '--skip', '{skip}', ...substitute.extra,
        ...(scaled[String(step.CheckType)] ?? []),
      ],
      ...(substitute.supplied ? { whenSupplied: ['--constraints-file', '{suppliedConstraints}'] } : {}),
      properties: Object.fromEntries(Object.entries(substitute.reports).map(([member, file]) => [`CalculatedBaseline${member}`, file])),
    };
  }
  return substitutions;
}
