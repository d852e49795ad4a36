/**
 * The BERT family's settings: more BERT pipelines (`bertPipelineVariants`), each a family of its
 * own that reads its own raw prefix. The platform reads them with every other setting (from the
 * CDK context, validated before any construct is made) and shows them in the configuration
 * reference.
 */
import { LakePrefix } from '../../../lib/lake-layout';
import { isObject, jsonValue, NotAllowed, setting, SHORT_NAME } from '../../../lib/settings/setting';

/** A variant of the BERT pipeline as the `bertPipelineVariants` setting declares it. */
export interface BertPipelineVariantSetting {
  /** Lake prefix of the variant's raw CSV files, under `raw/`. */
  readonly inputPrefix: string;
}

/** `bertPipelineVariants`: names and raw-data prefixes. */
function pipelineVariants(raw: unknown): Readonly<Record<string, BertPipelineVariantSetting>> | undefined {
  const value = jsonValue(raw);
  if (!isObject(value)) return undefined;
  const ok = Object.entries(value).every(
    ([name, variant]) =>
      SHORT_NAME.test(name) &&
      isObject(variant) &&
      Object.keys(variant).every((key) => key === 'inputPrefix') &&
      typeof variant.inputPrefix === 'string' &&
      /^raw\/([a-z0-9][a-z0-9_-]*\/)+$/.test(variant.inputPrefix),
  );
  if (!ok) return undefined;
  const variants = value as Record<string, BertPipelineVariantSetting>;
  const overlap = overlappingPrefixes([['the BERT pipeline', LakePrefix.rawReviews], ...Object.entries(variants).map(([name, v]) => [name, v.inputPrefix] as const)]);
  if (overlap) throw new NotAllowed(overlap);
  return variants;
}

/**
 * Two pipelines whose raw prefixes are the same or one inside the other would train on the same
 * data (and start together on a delivery): what says so, or undefined.
 */
function overlappingPrefixes(prefixes: readonly (readonly [string, string])[]): string | undefined {
  for (const [i, [a, prefixA]] of prefixes.entries()) {
    for (const [b, prefixB] of prefixes.slice(i + 1)) {
      if (prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA)) {
        const how = prefixA === prefixB ? `both read ${prefixA}` : `${prefixA} and ${prefixB} overlap`;
        return `${a === 'the BERT pipeline' ? a : `variant ${a}`} and variant ${b}: ${how}`;
      }
    }
  }
  return undefined;
}

export const BERT_SENTIMENT_SETTINGS = {
  bertPipelineVariants: setting({
    type: 'json',
    doc:
      'More BERT pipelines, by name: each reads its own raw prefix and registers into its own model package group, in stack <prefix>-bert-pipeline-<name>, ' +
      'e.g. {"dresses":{"inputPrefix":"raw/dresses/"}}.',
    allowed:
      'a JSON object of name (lowercase letters, digits and hyphens, starting with a letter, at most 24 characters) to {"inputPrefix": "raw/<folder>/"} ' +
      '(folders of lowercase letters, digits, hyphens and underscores, starting with a letter or digit), ' +
      `each prefix its own: neither ${LakePrefix.rawReviews} (the BERT pipeline's) nor another variant's, nor inside or around one`,
    parse: pipelineVariants,
  }),
};
