/**
 * The deployer's build step (CodeBuild, on the approval of a model package): records the package
 * in the serving parameters, then deploys the serving stack with the configuration the deploy
 * stack baked in. Reads MODEL_PACKAGE_ARN, CHAMPION_PARAMETER, CHALLENGER_PARAMETER, PROMOTION,
 * SERVING_STACK, CDK_CONTEXT and, for a family other than the first, SERVING_FAMILY from the environment.
 */
import { spawnSync } from 'child_process';
import { SSMClient } from '@aws-sdk/client-ssm';
import { deployCommand, familyContext, promote } from '../lib/model-deploy/promotion';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`deploy-approved: the environment variable ${name} is not set.`);
  return value;
}

async function main(): Promise<number> {
  const promotion = required('PROMOTION');
  if (promotion !== 'replace' && promotion !== 'challenger') {
    throw new Error(`deploy-approved: PROMOTION '${promotion}' is not allowed; expected replace or challenger.`);
  }
  const served = await promote(
    new SSMClient({}),
    { championParameter: required('CHAMPION_PARAMETER'), challengerParameter: required('CHALLENGER_PARAMETER'), promotion },
    required('MODEL_PACKAGE_ARN'),
  );
  process.stdout.write(`Serving ${served.champion} as VariantA${served.challenger ? ` and ${served.challenger} as VariantB` : ''}\n`);
  const context = familyContext(JSON.parse(required('CDK_CONTEXT')), process.env.SERVING_FAMILY || undefined);
  const [command, ...args] = deployCommand(required('SERVING_STACK'), context);
  process.stdout.write(`$ npx ${command} ${args.join(' ')}\n`);
  const result = spawnSync('npx', [command, ...args], { stdio: 'inherit', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
