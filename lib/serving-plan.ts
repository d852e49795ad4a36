/**
 * What the endpoint serves, decided from four settings without AWS calls: used by the platform
 * (whether there is a serving stack, and where its model packages come from) and by the serving
 * settings' checks (a plan the deployer's synth would refuse fails this synth already).
 */

/** Where the serving stack takes a model package ARN from. */
export type ModelPackageSource = { readonly arn: string } | { readonly parameter: 'champion' | 'challenger' };

/** What the endpoint serves. */
export interface ServingPlan {
  /** VariantA's model package. */
  readonly champion: ModelPackageSource;
  /** VariantB's model package, when the endpoint has a challenger. */
  readonly challenger?: ModelPackageSource;
}

/** The settings a plan is made from. */
export interface ServingChoice {
  readonly serving: boolean;
  readonly modelPackageArn?: string;
  readonly challengerModelPackageArn?: string;
  readonly servingPromotion: 'replace' | 'challenger';
}

/**
 * The serving plan, or undefined when the app has no serving stack. The champion is
 * `modelPackageArn`, else the champion parameter (with `serving`); the challenger is
 * `challengerModelPackageArn`, else, when the champion comes from its parameter and promotion
 * keeps challengers, the challenger parameter.
 */
export function servingPlan(choice: ServingChoice): ServingPlan | undefined {
  if (!choice.serving && choice.modelPackageArn === undefined) return undefined;
  const champion: ModelPackageSource = choice.modelPackageArn !== undefined ? { arn: choice.modelPackageArn } : { parameter: 'champion' };
  const challenger: ModelPackageSource | undefined =
    choice.challengerModelPackageArn !== undefined
      ? { arn: choice.challengerModelPackageArn }
      : 'parameter' in champion && choice.servingPromotion === 'challenger'
        ? { parameter: 'challenger' }
        : undefined;
  return { champion, challenger };
}

/** The choice the approval deployer synthesizes with: serving on, model packages from SSM. */
export function deployerChoice<C extends ServingChoice>(choice: C): C {
  return { ...choice, serving: true, modelPackageArn: undefined, challengerModelPackageArn: undefined };
}
