/**
 * The growth configurations of the benchmark and of the limits test: the platform with more feature
 * groups and more pipelines, declared through the same settings a user would use (`featureGroups`,
 * and the settings of the first family package that grows: its `growth`).
 */
import { FeatureGroupSetting } from '../../lib/settings';
import { FeatureType } from '../../lib/feature-store/feature-schema';
import { FAMILY_PACKAGES, FamilyPackage } from '../../pipeline-definitions/families';

/** The points the benchmark measures: total feature groups, and pipelines of the growing family package. */
export const FEATURE_GROUP_POINTS = [1, 10, 50] as const;
export const PIPELINE_POINTS = [1, 5, 20] as const;

/** CloudFormation's limits per template, and SageMaker's on a pipeline definition. */
export const LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  templateBytes: 1_000_000,
  /** CreatePipeline's PipelineDefinition: at most 1,048,576 characters. */
  pipelineDefinitionChars: 1_048_576,
} as const;

/** A feature group of the kind a platform team adds: an id, an event time and a few features. */
export function generatedFeatureGroup(index: number): FeatureGroupSetting {
  const name = `group-${String(index).padStart(2, '0')}`;
  return {
    name,
    description: `Generated feature group ${index} (growth benchmark)`,
    recordIdentifier: 'entity_id',
    eventTime: 'event_time',
    features: [
      { name: 'entity_id', type: FeatureType.STRING, description: 'Identifier of the entity' },
      { name: 'event_time', type: FeatureType.STRING, description: 'When the features were computed, ISO-8601 UTC' },
      { name: 'count_7d', type: FeatureType.INTEGRAL, description: 'Events in the last seven days' },
      { name: 'amount_30d', type: FeatureType.FRACTIONAL, description: 'Amount in the last thirty days' },
      { name: 'segment', type: FeatureType.STRING, description: 'Segment of the entity' },
    ],
  };
}

/**
 * The context (as `-c key=value` strings) of the platform with `featureGroups` feature groups in all
 * (the reviews group and generated ones) and `pipelines` pipelines of the first family package that
 * grows (made from its settings), beside the other packages' own.
 */
export function growthContext(
  featureGroups: number,
  pipelines: number,
  base: Record<string, string> = { stage: 'dev' },
  packages: readonly FamilyPackage[] = FAMILY_PACKAGES,
): Record<string, string> {
  if (featureGroups < 1 || pipelines < 1) {
    throw new Error(`growthContext: featureGroups ${featureGroups} and pipelines ${pipelines} must be at least 1 (the course's own).`);
  }
  const context: Record<string, string> = { ...base };
  if (featureGroups > 1) {
    context.featureGroups = JSON.stringify(Array.from({ length: featureGroups - 1 }, (_, i) => generatedFeatureGroup(i + 1)));
  }
  if (pipelines > 1) {
    const grows = packages.find((p) => p.growth);
    if (!grows?.growth) throw new Error(`growthContext: ${pipelines} pipelines asked for, but no family package grows (declares growth).`);
    Object.assign(context, grows.growth(pipelines));
  }
  return context;
}

/** What a template uses of each CloudFormation limit. */
export interface TemplateUse {
  readonly stack: string;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly mappings: number;
  readonly templateBytes: number;
}

export function templateUse(stack: string, template: Record<string, any>): TemplateUse {
  const count = (section: string) => Object.keys(template[section] ?? {}).length;
  return {
    stack,
    resources: count('Resources'),
    outputs: count('Outputs'),
    parameters: count('Parameters'),
    mappings: count('Mappings'),
    templateBytes: Buffer.byteLength(JSON.stringify(template, null, 1)),
  };
}

/** The limits a template uses more than `share` of, as messages naming stack, limit and use. */
export function limitsAbove(use: TemplateUse, share: number): string[] {
  const checks: [keyof typeof LIMITS & keyof TemplateUse, number][] = [
    ['resources', use.resources],
    ['outputs', use.outputs],
    ['parameters', use.parameters],
    ['mappings', use.mappings],
    ['templateBytes', use.templateBytes],
  ];
  return checks
    .filter(([limit, value]) => value > LIMITS[limit] * share)
    .map(([limit, value]) => `${use.stack}: ${limit} ${value} is above ${share * 100}% of ${LIMITS[limit]}`);
}
