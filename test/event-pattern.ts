/**
 * A small EventBridge event-pattern matcher for offline tests, covering what the app's rules use:
 * a field matches when any element of its array matches, an element being a literal (equal), or
 * `{prefix}`, `{suffix}`, `{wildcard}` (`*` is any run of characters, slashes included; `\*` a star)
 * or `{exists}`; a nested object matches the event's object field by field. Anything else fails
 * loudly, so a rule that grows another operator is not silently misjudged here.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => matchesField(expected, event[field]));
}

function matchesField(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    const values = Array.isArray(actual) ? actual : [actual];
    return expected.some((element) => values.some((value) => matchesElement(element, value)) || (isExists(element) && matchesElement(element, actual)));
  }
  if (expected !== null && typeof expected === 'object') {
    return actual !== null && typeof actual === 'object' && !Array.isArray(actual) && matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
  }
  throw new Error(`event pattern: field value ${JSON.stringify(expected)} is neither an array nor an object`);
}

const isExists = (element: unknown) => element !== null && typeof element === 'object' && 'exists' in (element as object);

function matchesElement(element: unknown, value: unknown): boolean {
  if (element === null || typeof element !== 'object') return element === value;
  const [operator, operand, ...more] = Object.entries(element as Record<string, unknown>).flat();
  if (more.length > 0) throw new Error(`event pattern: ${JSON.stringify(element)} has more than one operator`);
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(operand as string).test(value);
    case 'exists':
      return (value !== undefined) === operand;
    default:
      throw new Error(`event pattern: operator ${String(operator)} is not supported by this matcher`);
  }
}

function wildcardRegExp(wildcard: string): RegExp {
  const parts = wildcard.split(/(\\\*|\*)/).map((part) => (part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/** An S3 "Object Created" event as EventBridge delivers it, for a bucket and key. */
export function objectCreated(bucket: string, key: string): Record<string, unknown> {
  return {
    version: '0',
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: { version: '0', bucket: { name: bucket }, object: { key, size: 1024 }, reason: 'PutObject' },
  };
}
