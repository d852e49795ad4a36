/**
 * Facts about SageMaker instance types that decide what a job may be given.
 */

/** Families with local NVMe instance storage, beyond those with a `d` in their name. */
const NVME_FAMILIES = new Set(['g5', 'g6', 'g6e', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2', 'inf2']);

/**
 * True for instance types with local NVMe storage (e.g. ml.m5d, ml.g4dn, ml.p4d, ml.g5). SageMaker
 * rejects a volume KMS key for them: their storage is encrypted by the hardware.
 */
export function hasLocalNvmeStorage(instanceType: string): boolean {
  const family = /^ml\.([a-z0-9]+)\./.exec(instanceType)?.[1];
  if (!family) return false;
  return NVME_FAMILIES.has(family) || /^[a-z]+\d+[a-z]*d[a-z]*$/.test(family);
}

/** Instance types as SageMaker names them: `ml.<family>.<size>`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

/**
 * Checks instance types a job may be given; with a volume key, none may have local NVMe storage.
 * @throws Error naming the setting, the bad value and what is allowed
 */
export function checkInstanceTypes(setting: string, types: readonly string[], withVolumeKey: boolean): void {
  for (const type of types) {
    if (!INSTANCE_TYPE_PATTERN.test(type)) {
      throw new Error(`${setting}: '${type}' is not an instance type; expected ml.<family>.<size>, e.g. ml.m5.large.`);
    }
    if (withVolumeKey && hasLocalNvmeStorage(type)) {
      throw new Error(
        `${setting}: '${type}' has local NVMe storage, for which SageMaker rejects a volume KMS key; ` +
          'expected an instance type with EBS storage only (e.g. ml.c5.9xlarge, ml.m5.4xlarge, ml.p3.2xlarge).',
      );
    }
  }
}
