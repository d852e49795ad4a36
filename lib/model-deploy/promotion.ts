import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MODEL_PACKAGE_ARN_PATTERN } from '../service-limits';

/** What the deployer needs to know to promote an approved model package. */
export interface PromotionSettings {
  /** The SSM parameter of the champion (VariantA). */
  readonly championParameter: string;
  /** The SSM parameter of the challenger (VariantB). */
  readonly challengerParameter: string;
  /** `replace`: the new package is served alone; `challenger`: the previous champion stays as VariantB. */
  readonly promotion: 'replace' | 'challenger';
}

/** The packages served after a promotion. */
export interface Served {
  readonly champion: string;
  /** Absent with `replace`. */
  readonly challenger?: string;
}

/**
 * Records an approved model package as the champion. With `challenger` promotion the previous
 * champion becomes the challenger (on the first approval, when there is none, the new package is
 * both, so the endpoint's variant set never changes); with `replace` the challenger parameter is
 * left as it is, unused. Writing the same package again changes nothing.
 *
 * @throws Error when the ARN is not a versioned model package ARN, before anything is written
 */
export async function promote(ssm: SSMClient, settings: PromotionSettings, approvedArn: string): Promise<Served> {
  if (!MODEL_PACKAGE_ARN_PATTERN.test(approvedArn)) {
    throw new Error(`promote: '${approvedArn}' is not a versioned model package ARN; expected arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>.`);
  }
  const previous = await read(ssm, settings.championParameter);
  if (settings.promotion === 'replace') {
    if (previous !== approvedArn) await write(ssm, settings.championParameter, approvedArn);
    return { champion: approvedArn };
  }
  if (previous === approvedArn) {
    // The same package approved again (e.g. its metadata changed): keep the pair as it is.
    return { champion: approvedArn, challenger: (await read(ssm, settings.challengerParameter)) ?? approvedArn };
  }
  const challenger = previous ?? approvedArn;
  await write(ssm, settings.challengerParameter, challenger);
  await write(ssm, settings.championParameter, approvedArn);
  return { champion: approvedArn, challenger };
}

async function read(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound || (error as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

async function write(ssm: SSMClient, name: string, value: string): Promise<void> {
  await ssm.send(
    new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true, Description: 'Model package served by the endpoint (written on approval)' }),
  );
}

/**
 * The context of the deployer's synth for an approved package of a family: the baked context, and
 * the family among `servingFamilies` (the first family is served by the baked `serving=true`).
 */
export function familyContext(context: Readonly<Record<string, string>>, family?: string): Record<string, string> {
  if (!family) return { ...context };
  const served = (context.servingFamilies ?? '').split(',').filter((f) => f !== '');
  return { ...context, servingFamilies: [...new Set([...served, family])].join(',') };
}

/**
 * The `cdk deploy` command line of the serving stack: only that stack, no prompts, the baked
 * configuration as context values.
 */
export function deployCommand(servingStack: string, context: Readonly<Record<string, string>>): string[] {
  return [
    'cdk',
    'deploy',
    servingStack,
    '--exclusively',
    '--require-approval',
    'never',
    '--progress',
    'events',
    ...Object.entries(context).flatMap(([key, value]) => ['--context', `${key}=${value}`]),
  ];
}
