/**
 * Each definition's declaration of what it needs to run on this machine (see
 * `rendering/local-settings.ts`), by the definition's name (`Metadata.definition`): every family
 * package's, and the monitoring pipeline's.
 */
import { endpointMonitorLocalRun } from './endpoint-monitor.local';
import { ENDPOINT_MONITOR_ID } from './endpoint-monitor';
import { familyLocalRuns } from './families';
import type { LocalDeclaration } from './rendering/local-settings';

export const LOCAL_DECLARATIONS: Readonly<Record<string, LocalDeclaration>> = {
  ...familyLocalRuns(undefined, [ENDPOINT_MONITOR_ID]),
  [ENDPOINT_MONITOR_ID]: endpointMonitorLocalRun,
};
