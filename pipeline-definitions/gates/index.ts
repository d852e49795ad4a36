/**
 * The quality gates: one interface ({@link GateEngine}), two engines, chosen once per definition
 * from the configuration with {@link gateEngine}.
 */
import { GateEngine } from './gate';
import { ManagedGates, ManagedGatesProps } from './managed-engine';
import { OpenGates } from './open-engine';

export * from './gate';
export * from './registration';
export { OpenGates, GateParameters } from './open-engine';
export { ManagedGates, managedCodeFiles, modelQualityConstraints, modelQualityConstraintsKey } from './managed-engine';
export { managedCheckSubstitutions } from './local-substitutes';

/** The engine of a definition's gates: the managed services when the account has them, else the open one. */
export function gateEngine(managed: boolean, props: ManagedGatesProps): GateEngine {
  return managed ? new ManagedGates(props) : new OpenGates(props);
}
