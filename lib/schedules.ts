/**
 * Schedule expressions as the services that run them accept them, checked before a template is
 * written: EventBridge rules (`rate(...)` and `cron(...)`), Glue crawlers (`cron(...)` alone) and
 * Model Monitor (whole hours). A leaf module: the settings and the constructs both use it.
 */

/** Which expressions a service takes. */
export type ScheduleKinds = 'rate or cron' | 'cron';

const RATE = /^rate\((\d+) ([a-z]+)\)$/;
const RATE_UNITS = ['minute', 'hour', 'day'] as const;

/** One field of a six-field cron expression: its name, its range and the names it may use. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Characters beyond `, - * /` that the field takes. */
  readonly special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, special: /^(\?|L|\d+L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

/** Whether one element of a cron field (`5`, `1-5`, `*`, `0/15`, `MON-FRI`) is in its range. */
function cronElementOk(field: CronField, element: string): boolean {
  if (field.special?.test(element)) return true;
  const value = (text: string) => {
    const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    return /^\d+$/.test(text) ? Number(text) : NaN;
  };
  const inRange = (text: string) => {
    const v = value(text);
    return v >= field.min && v <= field.max;
  };
  const [base, step, ...more] = element.split('/');
  if (more.length > 0) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (base === '*') return true;
  const range = base.split('-');
  if (range.length === 1) return inRange(base);
  return range.length === 2 && inRange(range[0]) && inRange(range[1]);
}

/** What is wrong with a six-field cron expression, or undefined when EventBridge and Glue take it. */
export function cronProblem(expression: string): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  const fields = match ? match[1].trim().split(/\s+/) : [];
  if (fields.length !== 6) return 'a cron expression has six fields: minutes hours day-of-month month day-of-week year';
  for (const [i, field] of CRON_FIELDS.entries()) {
    const bad = fields[i].split(',').find((element) => !cronElementOk(field, element));
    if (bad !== undefined) {
      const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
      return `its ${field.name} field '${fields[i]}' is not a value from ${field.min} to ${field.max}${names} (with , - * /)`;
    }
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return "exactly one of the day-of-month and day-of-week fields must be '?'";
  }
  return undefined;
}

/** What is wrong with a `rate(...)` expression, or undefined when EventBridge takes it. */
export function rateProblem(expression: string): string | undefined {
  const match = RATE.exec(expression);
  if (!match) return "a rate expression is rate(<value> <unit>), e.g. rate(1 day) or rate(7 days)";
  const value = Number(match[1]);
  const unit = match[2];
  if (value < 1) return `its value ${match[1]} is not a positive whole number`;
  const singular = RATE_UNITS.find((u) => u === unit || `${u}s` === unit);
  if (singular === undefined) return `its unit '${unit}' is not one of minute(s), hour(s), day(s)`;
  const expected = value === 1 ? singular : `${singular}s`;
  if (unit !== expected) return `a value of ${value} takes the unit '${expected}'${value === 1 ? ' (singular for 1)' : ''}`;
  return undefined;
}

/** What is wrong with a schedule expression for a service that takes `kinds`, or undefined. */
export function scheduleProblem(expression: string, kinds: ScheduleKinds): string | undefined {
  if (expression.startsWith('cron(')) return cronProblem(expression);
  if (kinds === 'cron') return 'only a cron(...) expression is taken here';
  if (expression.startsWith('rate(')) return rateProblem(expression);
  return 'a schedule expression starts with rate( or cron(';
}

/**
 * Model Monitor's schedule for an EventBridge expression, or a string saying why there is none:
 * its schedules are cron expressions of whole hours, so `rate(N hours)` (N dividing 24) and
 * `rate(1 day)` convert, and a cron expression passes when it is hourly `cron(0 * ? * * *)`, daily
 * `cron(0 H ? * * *)` or every N hours `cron(0 H/N ? * * *)`.
 */
export function toModelMonitorSchedule(expression: string): { schedule: string } | { problem: string } {
  const problem = scheduleProblem(expression, 'rate or cron');
  if (problem) return { problem };
  const cron = /^cron\(\s*0\s+(\*|\d{1,2}|\d{1,2}\/\d{1,2})\s+\?\s+\*\s+\*\s+\*\s*\)$/.exec(expression);
  if (cron) {
    const [start, every] = cron[1].split('/');
    const ok = every === undefined || (Number(every) >= 1 && Number(every) <= 24);
    if (ok && (start === '*' || Number(start) <= 23)) return { schedule: expression };
  }
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(expression);
  const hours = rate ? Number(rate[1]) * (rate[2].startsWith('day') ? 24 : 1) : NaN;
  if (hours === 1) return { schedule: 'cron(0 * ? * * *)' };
  if (hours === 24) return { schedule: 'cron(0 0 ? * * *)' };
  if (hours > 1 && hours < 24 && 24 % hours === 0) return { schedule: `cron(0 0/${hours} ? * * *)` };
  return { problem: 'Model Monitor runs a schedule every hour, every N hours with N dividing 24, or once a day' };
}

/** What Model Monitor's schedules allow, as errors say it. */
export const MODEL_MONITOR_SCHEDULES =
  'rate(N hours) with N dividing 24, rate(1 day), cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *)';
