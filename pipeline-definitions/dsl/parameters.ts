import { ParameterGet } from './expressions';

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

/** Parameter names: what the service accepts in `Get` paths. */
export const PARAMETER_NAME_PATTERN = /^[A-Za-z0-9\-_]{1,256}$/;

/** A pipeline parameter with its default; `ref` reads it in the definition. */
export abstract class Parameter<T extends string | number | boolean = string | number | boolean> {
  public abstract readonly type: ParameterType;
  public readonly ref: ParameterGet;

  protected constructor(
    public readonly name: string,
    public readonly defaultValue: T,
    public readonly enumValues?: readonly T[],
  ) {
    if (!PARAMETER_NAME_PATTERN.test(name)) {
      throw new Error(`Parameter '${name}': the name is not allowed; expected 1 to 256 letters, digits, hyphens and underscores.`);
    }
    if (enumValues !== undefined && !enumValues.includes(defaultValue)) {
      throw new Error(`Parameter '${name}': the default ${JSON.stringify(defaultValue)} is not one of ${JSON.stringify(enumValues)}.`);
    }
    this.ref = new ParameterGet(name);
  }

  public render(): unknown {
    return {
      Name: this.name,
      Type: this.type,
      DefaultValue: this.defaultValue,
      ...(this.enumValues ? { EnumValues: [...this.enumValues] } : {}),
    };
  }

  /** Parses a value given as text (e.g. on a command line) into this parameter's type. */
  public parse(text: string): T {
    const fail = (expected: string): never => {
      throw new Error(`Parameter '${this.name}' (${this.type}): '${text}' is not allowed; expected ${expected}.`);
    };
    let value: string | number | boolean;
    switch (this.type) {
      case 'Integer':
        value = /^-?\d+$/.test(text) ? Number(text) : fail('an integer');
        break;
      case 'Float':
        value = text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : fail('a number');
        break;
      case 'Boolean':
        value = text === 'true' ? true : text === 'false' ? false : fail('true or false');
        break;
      default:
        value = text;
    }
    if (this.enumValues !== undefined && !this.enumValues.includes(value as T)) {
      fail(`one of ${this.enumValues.join(', ')}`);
    }
    return value as T;
  }
}

export class ParameterString extends Parameter<string> {
  public readonly type = 'String' as const;
  constructor(name: string, defaultValue: string, enumValues?: readonly string[]) {
    super(name, defaultValue, enumValues);
  }
}

export class ParameterInteger extends Parameter<number> {
  public readonly type = 'Integer' as const;
  constructor(name: string, defaultValue: number) {
    if (!Number.isInteger(defaultValue)) throw new Error(`Parameter '${name}': the default ${defaultValue} is not an integer.`);
    super(name, defaultValue);
  }
}

export class ParameterFloat extends Parameter<number> {
  public readonly type = 'Float' as const;
  constructor(name: string, defaultValue: number) {
    if (!Number.isFinite(defaultValue)) throw new Error(`Parameter '${name}': the default ${defaultValue} is not a number.`);
    super(name, defaultValue);
  }
}

export class ParameterBoolean extends Parameter<boolean> {
  public readonly type = 'Boolean' as const;
  constructor(name: string, defaultValue: boolean) {
    super(name, defaultValue);
  }
}
