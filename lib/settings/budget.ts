/** Settings of the cost guard: a monthly budget and who hears about it. */
import { ConfigError, ConfigOf, EMAIL_PATTERN, matching, positiveNumber, setting } from './setting';

export const BUDGET_SETTINGS = {
  budgetMonthlyLimitUsd: setting({
    type: 'number',
    doc: 'Monthly cost budget in USD; together with budgetEmail it adds the cost-guard stack.',
    allowed: 'a positive number',
    parse: positiveNumber,
  }),
  budgetEmail: setting({
    type: 'string',
    doc: 'E-mail address that receives the budget alerts (80% actual, 100% forecast).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  }),
};

export type BudgetConfig = ConfigOf<typeof BUDGET_SETTINGS>;

export function checkBudget(config: BudgetConfig): void {
  if ((config.budgetMonthlyLimitUsd === undefined) !== (config.budgetEmail === undefined)) {
    const missing = config.budgetEmail === undefined ? 'budgetEmail' : 'budgetMonthlyLimitUsd';
    throw new ConfigError(`Incomplete budget: '${missing}' is not set; expected both budgetMonthlyLimitUsd and budgetEmail, or neither.`);
  }
}
