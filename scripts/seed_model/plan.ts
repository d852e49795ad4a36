/**
 * What `npm run seed-model` seeds, from the families' declarations for a configuration (cdk.json
 * and the `-c` values): each pre-trained model once per lake prefix, and the data-lake stack whose
 * outputs name the lake's bucket and key. Printed as JSON for `seed.py`, which gets the same
 * command line and checks the rest of it.
 *
 *     npx ts-node --swc scripts/seed_model/plan.ts [-c key=value ...] [seed.py's arguments]
 */
import { ConfigError } from '../../lib/settings';
import { contextArguments, deployedPlatform, UsageError } from '../deployed/platform';

export interface SeedPlan {
  readonly lakeStack: string;
  /** The region the configuration pins, if any (else the user's). */
  readonly region?: string;
  readonly models: ReturnType<typeof deployedPlatform>['models'];
}

export function seedPlan(argv: readonly string[]): SeedPlan {
  const { context } = contextArguments(argv, 'seed-model');
  const platform = deployedPlatform(context);
  return { lakeStack: platform.dataLakeStack, region: platform.config.region, models: platform.models };
}

if (require.main === module) {
  try {
    process.stdout.write(`${JSON.stringify(seedPlan(process.argv.slice(2)), null, 2)}\n`);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
