/**
 * What the monitoring pipeline needs to run on this machine: captured requests of the last hour
 * and their ground truth, made from the sample, and the served model packages with the baselines
 * their gates would have registered.
 */
import { DEFAULT_QUALITY_THRESHOLDS } from './catalogue';
import type { LocalDeclaration } from './rendering/local-settings';

type Json = Record<string, unknown>;

export const endpointMonitorLocalRun: LocalDeclaration = (run) => {
  const args = (step: Json): string[] => ((step.Arguments as Json).AppSpecification as { ContainerArguments: unknown[] }).ContainerArguments.map(String);
  const option = (step: Json, name: string): string => {
    const found = args(step);
    if (!found.includes(name)) throw new Error(`local settings of ${run.id}: step ${String(step.Name)} has no ${name}`);
    return found[found.indexOf(name) + 1];
  };
  const checks = run.steps.filter((s) => s.Type === 'Processing');
  const labelled = checks.find((s) => args(s).includes('--ground-truth-uri'));
  if (checks.length === 0 || !labelled) throw new Error(`local settings of ${run.id}: no check reads the ground truth`);
  const variants = [...new Map(checks.map((s) => [option(s, '--variant'), option(s, '--model-package-arn')])).entries()];
  const capture = option(checks[0], '--capture-uri');
  const bucket = /^s3:\/\/([^/]+)\//.exec(capture)?.[1];
  const served = `s3://${bucket}/local/${run.id}/served-baselines/`;
  const json = (uri: string) => ({ ContentType: 'application/json', S3Uri: uri });
  return {
    seeds: [
      {
        uri: served,
        command: [
          '{python}', 'pipeline-definitions/local_runner/fixtures/monitor_fixture.py',
          '--reviews', 'data/sample/reviews',
          '--capture', `{s3:${capture}}`,
          '--ground-truth', `{s3:${option(labelled, '--ground-truth-uri')}}`,
          '--baselines', '{target}',
          '--variants', ...variants.map(([name]) => name),
          '--model-quality-thresholds', JSON.stringify(run.settings.modelQualityThresholds ?? DEFAULT_QUALITY_THRESHOLDS.modelQuality),
        ],
        description: "captured requests of the last hour and their ground truth, made from the sample, and the served packages' baselines",
      },
    ],
    modelPackages: variants.map(([, arn]) => ({
      ModelPackageArn: arn,
      ModelPackageGroupName: arn.split(':model-package/')[1]?.split('/')[0],
      ModelPackageVersion: Number(arn.split('/').pop()),
      ModelApprovalStatus: 'Approved',
      DriftCheckBaselines: {
        ModelDataQuality: { Statistics: json(`${served}data-quality/statistics.json`), Constraints: json(`${served}data-quality/constraints.json`) },
        ModelQuality: { Constraints: json(`${served}model-quality/constraints.json`) },
      },
    })),
  };
};
