/**
 * The platform's model families: the course's BERT family first, then one per variant of its
 * pipeline. A new family is a declaration ({@link ModelFamily}) added here.
 */
import { PlatformConfig } from '../settings';
import { bertSentimentFamily } from './bert-sentiment';
import { ModelFamily } from './model-family';

export * from './model-family';
export { bertSentimentFamily } from './bert-sentiment';

/** The families of a configuration. */
export function platformFamilies(config: PlatformConfig): ModelFamily[] {
  return [
    bertSentimentFamily(),
    ...Object.entries(config.bertPipelineVariants ?? {}).map(([name, variant]) => bertSentimentFamily({ name, ...variant })),
  ];
}
