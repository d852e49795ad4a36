import { Template } from 'aws-cdk-lib/assertions';
import { CostBudget } from '../lib/constructs/cost-budget';
import { buildApp, templateOf, testStack } from './helpers';

describe('CostGuardStack', () => {
  test('is added only with both budget settings', () => {
    expect(buildApp({}).platform.costGuard).toBeUndefined();
    expect(buildApp({ budgetMonthlyLimitUsd: '150', budgetEmail: 'team@example.com' }).platform.costGuard).toBeDefined();
  });

  const { platform } = buildApp({ budgetMonthlyLimitUsd: '150', budgetEmail: 'team@example.com' });
  const template = Template.fromStack(platform.costGuard!);

  test('a monthly cost budget with e-mail alerts at 80% actual and 100% forecast', () => {
    const subscribers = [{ SubscriptionType: 'EMAIL', Address: 'team@example.com' }];
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetName: 'pds-dev-monthly', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 150, Unit: 'USD' } },
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

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('CostBudget', () => {
  const budget = (props: Partial<ConstructorParameters<typeof CostBudget>[2]>) =>
    new CostBudget(testStack(), 'Budget', { budgetName: 'b', monthlyLimitUsd: 10, email: 'a@example.com', ...props });

  test('custom thresholds', () => {
    const construct = budget({ actualThresholdPercent: 50, forecastThresholdPercent: 90 });
    const rendered = templateOf(construct.node.scope as any).toJSON();
    const notifications = (Object.values(rendered.Resources)[0] as any).Properties.NotificationsWithSubscribers;
    expect(notifications.map((n: any) => n.Notification.Threshold)).toEqual([50, 90]);
  });

  test.each([
    [{ monthlyLimitUsd: 0 }, 'CostBudget: monthlyLimitUsd 0 is not allowed; expected a positive number.'],
    [{ budgetName: 'a:b' }, "CostBudget: budgetName 'a:b' is not allowed; expected at most 100 characters without ':' or '\\'."],
  ])('bad props fail clearly: %p', (props, message) => {
    expect(() => budget(props)).toThrow(message);
  });
});
