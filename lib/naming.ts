import { ConfigError } from './settings';

/**
 * A physical name made of the prefix and a suffix, checked against the service's length limit
 * (so a long prefix fails at synth, not in CloudFormation).
 */
export function resourceName(prefix: string, suffix: string, maxLength: number, separator = '-'): string {
  const name = `${prefix}${separator}${suffix}`;
  if (name.length > maxLength) {
    throw new ConfigError(
      `Resource name '${name}' (from 'namePrefix' '${prefix}') is ${name.length} characters; ` +
        `expected at most ${maxLength}. Use a shorter namePrefix.`,
    );
  }
  return name;
}
