/**
 * Deploy-time values as readable placeholders: `{"Ref": "Role1"}` becomes `${Role1}`,
 * `{"Fn::GetAtt": ["Role1", "Arn"]}` becomes `${Role1.Arn}`, and a value another stack exports
 * (`Fn::GetStackOutput`, `Fn::ImportValue`) becomes the producing stack's value, e.g.
 * `${pds-dev-data-lake:StorageBucket5CB7C8EA}`. Placeholders never contain quotes or backslashes,
 * so they can stand inside a JSON string (a pipeline definition body) and it still parses.
 */

/** A CloudFormation template, as far as placeholders need it. */
export interface TemplateLike {
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** The templates of an assembly by stack name, for values one stack reads from another. */
export type TemplatesByStack = ReadonlyMap<string, TemplateLike>;

type Json = Record<string, unknown>;

/** The intrinsic function of a value, if it is one (`{ "Ref": … }` or `{ "Fn::…": … }`). */
export function intrinsic(value: unknown): { readonly fn: string; readonly args: unknown } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return undefined;
  return { fn: keys[0], args: (value as Json)[keys[0]] };
}

/**
 * Renders deploy-time values of one stack's template as placeholders. `stack` names the template
 * whose local references are rendered bare; references into other stacks carry that stack's name.
 */
export class Placeholders {
  constructor(
    private readonly templates: TemplatesByStack,
    private readonly stack: string,
  ) {}

  /** A value with every intrinsic inside it replaced by its placeholder string. */
  public render(value: unknown): unknown {
    if (Array.isArray(value)) return value.filter((v) => !isNoValue(v)).map((v) => this.render(v));
    if (intrinsic(value)) return this.text(value);
    if (value !== null && typeof value === 'object') {
      const out: Json = {};
      for (const [key, v] of Object.entries(value)) {
        if (!isNoValue(v)) out[key] = this.render(v);
      }
      return out;
    }
    return value;
  }

  /**
   * A copy of a value in which every read of another stack's value (`Fn::ImportValue`,
   * `Fn::GetStackOutput`) is a `Ref` to that stack's resource, `{ "Ref": "stack:Logical.Attr" }`:
   * the same reference however the CDK wires it (exports, weak references), as CDK's own
   * diff engine then renders it.
   */
  public localize(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.localize(v));
    const fn = intrinsic(value);
    if (fn && (fn.fn === 'Fn::ImportValue' || fn.fn === 'Fn::GetStackOutput')) return { Ref: this.inner(value) };
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.localize(v)]));
    }
    return value;
  }

  /** A value as text: literal strings as they are, intrinsics as `${…}` placeholders. */
  public text(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
    const fn = intrinsic(value);
    if (fn?.fn === 'Fn::Join') {
      const [separator, parts] = fn.args as [string, unknown];
      if (Array.isArray(parts)) return parts.filter((p) => !isNoValue(p)).map((p) => this.text(p)).join(separator);
    }
    if (fn?.fn === 'Fn::Sub') {
      const [body, variables] = (Array.isArray(fn.args) ? fn.args : [fn.args, {}]) as [string, Json];
      return body.replace(/\$\{([^}]+)\}/g, (_whole, name: string) =>
        name in variables ? this.text(variables[name]) : `\${${safe(name)}}`,
      );
    }
    return `\${${this.inner(value)}}`;
  }

  /** What stands inside `${…}` for an intrinsic. */
  private inner(value: unknown): string {
    const fn = intrinsic(value);
    if (!fn) return safe(typeof value === 'string' ? value : JSON.stringify(value));
    const args = fn.args;
    switch (fn.fn) {
      case 'Ref':
        return safe(String(args));
      case 'Fn::GetAtt': {
        // The string form is `Resource.Attribute`, where the attribute may hold dots itself.
        const text = String(args);
        const [resource, attribute] = Array.isArray(args) ? args : [text.slice(0, text.indexOf('.')), text.slice(text.indexOf('.') + 1)];
        return `${safe(String(resource))}.${safe(this.bare(attribute))}`;
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = args as Json;
        return this.output(this.bare(StackName), (outputs) => outputs[this.bare(OutputName)]) ?? `${this.bare(StackName)}:${this.bare(OutputName)}`;
      }
      case 'Fn::ImportValue': {
        const name = this.bare(args);
        for (const stack of this.templates.keys()) {
          const found = this.output(stack, (outputs) => Object.values(outputs).find((o) => o.Export && this.bare(o.Export.Name) === name));
          if (found) return found;
        }
        return `Import:${name}`;
      }
      case 'Fn::FindInMap': {
        const [map, first, second] = args as unknown[];
        return `${safe(this.bare(map))}[${this.bare(first)}].${this.bare(second)}`;
      }
      default: {
        const list = Array.isArray(args) ? args : [args];
        return `${fn.fn.replace(/^Fn::/, '')}(${list.map((a) => (intrinsic(a) ? this.inner(a) : safe(this.bareLiteral(a)))).join(', ')})`;
      }
    }
  }

  /** An argument as text without the `${}` around it (for names inside other placeholders). */
  private bare(value: unknown): string {
    const fn = intrinsic(value);
    return fn && fn.fn !== 'Fn::Join' && fn.fn !== 'Fn::Sub' ? this.inner(value) : safe(this.text(value));
  }

  private bareLiteral(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(this.render(value));
  }

  /** The placeholder of a value another stack outputs, named as that stack sees it. */
  private output(
    stack: string,
    pick: (outputs: NonNullable<TemplateLike['Outputs']>) => { readonly Value?: unknown } | undefined,
  ): string | undefined {
    const outputs = this.templates.get(stack)?.Outputs;
    const found = outputs ? pick(outputs) : undefined;
    if (found === undefined) return undefined;
    const producer = new Placeholders(this.templates, stack);
    const rendered = intrinsic(found.Value) ? producer.inner(found.Value) : safe(producer.text(found.Value));
    return stack === this.stack ? rendered : `${stack}:${rendered}`;
  }
}

function isNoValue(value: unknown): boolean {
  const fn = intrinsic(value);
  return fn?.fn === 'Ref' && fn.args === 'AWS::NoValue';
}

/** Text that may stand inside a JSON string: no quotes, backslashes or control characters. */
function safe(text: string): string {
  return text.replace(/["\\\u0000-\u001f]/g, '');
}
