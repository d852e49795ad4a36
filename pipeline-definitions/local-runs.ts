/**
 * Each definition's declaration of what it needs to run on this machine (see
 * `rendering/local-settings.ts`), by the definition's name (`Metadata.definition`): every family
 * package's, and the monitoring pipeline's.
 */
import { endpointMonitorLocalRun } from './endpoint-monitor.local';
import { ENDPOINT_MONITOR_ID } from './endpoint-monitor';
import { FAMILY_PACKAGES, FamilyPackage, familyLocalRuns } from './families';
import type { LocalDeclaration } from './rendering/local-settings';

/** The local runs of the family packages given (the app's by default) and of the monitoring pipeline. */
export function localDeclarations(packages: readonly FamilyPackage[] = FAMILY_PACKAGES): Readonly<Record<string, LocalDeclaration>> {
  return {
    ...familyLocalRuns(packages, [ENDPOINT_MONITOR_ID]),
    [ENDPOINT_MONITOR_ID]: endpointMonitorLocalRun,
  };
}
