import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { resourceName } from './naming';
import { CostBudget } from './constructs/cost-budget';

export interface CostGuardStackProps extends StackProps {
  /** Prefix of the budget's name. */
  readonly namePrefix: string;
  /** Monthly limit in USD. */
  readonly monthlyLimitUsd: number;
  /** Address that receives the alerts. */
  readonly email: string;
}

/** Optional: a monthly AWS Budget with e-mail alerts (added when the budget settings are given). */
export class CostGuardStack extends Stack {
  public readonly budget: CostBudget;

  constructor(scope: Construct, id: string, props: CostGuardStackProps) {
    super(scope, id, { description: 'Practical Data Science platform: monthly cost budget', ...props });
    this.budget = new CostBudget(this, 'MonthlyBudget', {
      budgetName: resourceName(props.namePrefix, 'monthly', 100),
      monthlyLimitUsd: props.monthlyLimitUsd,
      email: props.email,
    });
  }
}
