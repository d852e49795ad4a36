import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  /** Budget name, unique in the account (at most 100 characters). */
  readonly budgetName: string;
  /** Monthly limit in USD; positive. */
  readonly monthlyLimitUsd: number;
  /** Address that receives the alerts. */
  readonly email: string;
  /**
   * Percent of the limit at which actual spend alerts.
   * @default 80
   */
  readonly actualThresholdPercent?: number;
  /**
   * Percent of the limit at which forecast spend alerts.
   * @default 100
   */
  readonly forecastThresholdPercent?: number;
}

/**
 * A monthly cost budget for the account with e-mail alerts on actual and forecast spend.
 */
export class CostBudget extends Construct {
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    if (!(Number.isFinite(props.monthlyLimitUsd) && props.monthlyLimitUsd > 0)) {
      throw new Error(`CostBudget: monthlyLimitUsd ${props.monthlyLimitUsd} is not allowed; expected a positive number.`);
    }
    if (props.budgetName.length > 100 || /[:\\]/.test(props.budgetName)) {
      throw new Error(
        `CostBudget: budgetName '${props.budgetName}' is not allowed; expected at most 100 characters without ':' or '\\'.`,
      );
    }
    const subscribers = [{ subscriptionType: 'EMAIL', address: props.email }];
    const alert = (notificationType: string, threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    this.budget = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        alert('ACTUAL', props.actualThresholdPercent ?? 80),
        alert('FORECASTED', props.forecastThresholdPercent ?? 100),
      ],
    });
  }
}
