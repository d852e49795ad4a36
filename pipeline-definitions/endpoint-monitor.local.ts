/**
 * What the monitoring pipeline needs to run on this machine: captured requests and ground truth
 * of the last hour made from the sample, and the served model packages with their baselines.
 */
import type { LocalDeclaration } from './rendering/local-settings';

export const endpointMonitorLocalRun: LocalDeclaration = () => ({});
