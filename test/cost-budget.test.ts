import { CostBudget, CostBudgetProps } from '../lib/constructs/cost-budget';
import { nagFindings, templateOf, testStack } from './helpers';

function budgetStack(props: Partial<CostBudgetProps> = {}) {
  const stack = testStack();
  const construct = new CostBudget(stack, 'MonthlyBudget', {
    budgetName: 'pds-test-monthly',
    monthlyLimitUsd: 150,
    email: 'team@example.com',
    ...props,
  });
  return { stack, construct };
}

describe('CostBudget', () => {
  const subscribers = [{ SubscriptionType: 'EMAIL', Address: 'team@example.com' }];

  test('one monthly cost budget in USD, under its name, alerting at 80% actual and 100% forecast by default', () => {
    const template = templateOf(budgetStack().stack);
    template.resourceCountIs('AWS::Budgets::Budget', 1);
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetName: 'pds-test-monthly', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 150, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
          Subscribers: subscribers,
        },
        {
          Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
          Subscribers: subscribers,
        },
      ],
    });
  });

  test('the thresholds given replace the defaults, both e-mailed to the address', () => {
    const template = templateOf(budgetStack({ actualThresholdPercent: 50, forecastThresholdPercent: 90, monthlyLimitUsd: 12.5 }).stack);
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 12.5, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 50, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
        { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 90, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
      ],
    });
  });

  test('exposes the budget resource', () => {
    const { stack, construct } = budgetStack();
    expect(construct.budget.node.path).toBe('TestStack/MonthlyBudget/Resource');
    expect(stack.resolve(construct.budget.budget)).toMatchObject({ budgetName: 'pds-test-monthly' });
  });

  test('a name of 100 characters is allowed', () => {
    const name = 'b'.repeat(100);
    templateOf(budgetStack({ budgetName: name }).stack).hasResourceProperties('AWS::Budgets::Budget', { Budget: { BudgetName: name } });
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(budgetStack().stack)).toEqual([]);
  });

  test.each([
    [{ monthlyLimitUsd: 0 }, 'CostBudget: monthlyLimitUsd 0 is not allowed; expected a positive number.'],
    [{ monthlyLimitUsd: -5 }, 'CostBudget: monthlyLimitUsd -5 is not allowed; expected a positive number.'],
    [{ monthlyLimitUsd: Number.NaN }, 'CostBudget: monthlyLimitUsd NaN is not allowed; expected a positive number.'],
    [{ monthlyLimitUsd: Number.POSITIVE_INFINITY }, 'CostBudget: monthlyLimitUsd Infinity is not allowed; expected a positive number.'],
    [{ budgetName: 'a:b' }, "CostBudget: budgetName 'a:b' is not allowed; expected at most 100 characters without ':' or '\\'."],
    [{ budgetName: 'a\\b' }, "CostBudget: budgetName 'a\\b' is not allowed; expected at most 100 characters without ':' or '\\'."],
    [{ budgetName: 'x'.repeat(101) }, `CostBudget: budgetName '${'x'.repeat(101)}' is not allowed; expected at most 100 characters`],
  ])('bad props are an error naming the prop and the value: %p', (props, message) => {
    expect(() => budgetStack(props)).toThrow(message);
  });
});
