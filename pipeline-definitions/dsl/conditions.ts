import { collectReferences, renderValue, StepLike, Value } from './expressions';

export type ConditionType = 'Equals' | 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo' | 'In' | 'Not' | 'Or';

/** A condition of a Condition step. */
export class Condition {
  private constructor(
    public readonly type: ConditionType,
    private readonly body: Record<string, Value>,
  ) {}

  public static equals(left: Value, right: Value): Condition {
    return new Condition('Equals', { LeftValue: left, RightValue: right });
  }
  public static greaterThan(left: Value, right: Value): Condition {
    return new Condition('GreaterThan', { LeftValue: left, RightValue: right });
  }
  public static greaterThanOrEqualTo(left: Value, right: Value): Condition {
    return new Condition('GreaterThanOrEqualTo', { LeftValue: left, RightValue: right });
  }
  public static lessThan(left: Value, right: Value): Condition {
    return new Condition('LessThan', { LeftValue: left, RightValue: right });
  }
  public static lessThanOrEqualTo(left: Value, right: Value): Condition {
    return new Condition('LessThanOrEqualTo', { LeftValue: left, RightValue: right });
  }
  public static in(query: Value, values: readonly Value[]): Condition {
    return new Condition('In', { QueryValue: query, Values: values });
  }
  public static not(condition: Condition): Condition {
    return new Condition('Not', { Expression: condition as unknown as Value });
  }
  public static or(...conditions: Condition[]): Condition {
    return new Condition('Or', { Conditions: conditions as unknown as Value[] });
  }

  public render(): unknown {
    const out: Record<string, unknown> = { Type: this.type };
    for (const [key, value] of Object.entries(this.body)) {
      out[key] = value instanceof Condition ? value.render() : Array.isArray(value) && value[0] instanceof Condition
        ? (value as unknown as Condition[]).map((c) => c.render())
        : renderValue(value);
    }
    return out;
  }

  /** Steps and parameters the condition reads. */
  public references(): { steps: StepLike[]; parameters: string[] } {
    const steps: StepLike[] = [];
    const parameters: string[] = [];
    for (const value of Object.values(this.body)) {
      const nested = value instanceof Condition ? [value] : Array.isArray(value) && value[0] instanceof Condition ? (value as unknown as Condition[]) : [];
      for (const c of nested) {
        const refs = c.references();
        steps.push(...refs.steps);
        parameters.push(...refs.parameters);
      }
      if (nested.length === 0) {
        const refs = collectReferences(value);
        steps.push(...refs.steps);
        parameters.push(...refs.parameters);
      }
    }
    return { steps, parameters };
  }
}
