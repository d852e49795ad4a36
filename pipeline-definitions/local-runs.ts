/**
 * Each definition's declaration of what it needs to run on this machine (see
 * `rendering/local-settings.ts`), by the definition's name (`Metadata.definition`).
 */
import { bertSentimentLocalRun } from './bert-sentiment.local';
import { endpointMonitorLocalRun } from './endpoint-monitor.local';
import type { LocalDeclaration } from './rendering/local-settings';

export const LOCAL_DECLARATIONS: Readonly<Record<string, LocalDeclaration>> = {
  'bert-sentiment': bertSentimentLocalRun,
  'endpoint-monitor': endpointMonitorLocalRun,
};
