/**
 * Deploy-time values of a synthesized template as typed placeholders: what CloudFormation would
 * put there, with a fixed account and region and names of the right shape, so that a rendered
 * pipeline definition passes the SageMaker API's patterns and the local runner can map every S3
 * URI to a folder.
 *
 * `Ref` and `Fn::GetAtt` of a resource give a value typed by the resource's type (a bucket name,
 * a role ARN, a key ARN, ...), using the resource's own name property when the template sets one;
 * `Fn::Join`, `Fn::Sub`, `Fn::FindInMap` and the pseudo parameters are evaluated; a value another
 * stack outputs (`Fn::GetStackOutput`, `Fn::ImportValue`) is evaluated in that stack. Anything
 * else is an error naming the value, so a rendering never carries an unresolved token.
 */
import * as crypto from 'crypto';

/** The account and region the placeholders stand in. */
export const PLACEHOLDER_ENVIRONMENT = { account: '111122223333', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' } as const;

/** What the evaluation reads of a template. */
export interface TemplateLike {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
}

type Json = Record<string, unknown>;

/** The property that names a resource of each type, and how its `Ref` and `Arn` read. */
const NAMED_TYPES: Record<string, { readonly name?: string; readonly ref?: 'name' | 'arn'; readonly arn: (name: string) => string; readonly maxLength?: number }> = {
  'AWS::S3::Bucket': { name: 'BucketName', ref: 'name', arn: (n) => `arn:aws:s3:::${n}`, maxLength: 63 },
  'AWS::IAM::Role': { name: 'RoleName', ref: 'name', arn: (n) => `arn:aws:iam::${PLACEHOLDER_ENVIRONMENT.account}:role/${n}`, maxLength: 64 },
  'AWS::KMS::Key': { ref: 'name', arn: (n) => `arn:aws:kms:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:key/${n}` },
  'AWS::SNS::Topic': { name: 'TopicName', ref: 'arn', arn: (n) => `arn:aws:sns:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:${n}`, maxLength: 256 },
  'AWS::SageMaker::FeatureGroup': { name: 'FeatureGroupName', ref: 'name', arn: (n) => sagemakerArn('feature-group', n) },
  'AWS::SageMaker::ModelPackageGroup': { name: 'ModelPackageGroupName', ref: 'arn', arn: (n) => sagemakerArn('model-package-group', n) },
  'AWS::SageMaker::Pipeline': { name: 'PipelineName', ref: 'name', arn: (n) => sagemakerArn('pipeline', n) },
  'AWS::SSM::Parameter': { name: 'Name', ref: 'name', arn: (n) => `arn:aws:ssm:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:parameter/${n.replace(/^\//, '')}` },
  'AWS::Glue::Database': { name: 'DatabaseInput.Name', ref: 'name', arn: (n) => `arn:aws:glue:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:database/${n}` },
  'AWS::Athena::WorkGroup': { name: 'Name', ref: 'name', arn: (n) => `arn:aws:athena:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:workgroup/${n}` },
};

function sagemakerArn(kind: string, name: string): string {
  return `arn:aws:sagemaker:${PLACEHOLDER_ENVIRONMENT.region}:${PLACEHOLDER_ENVIRONMENT.account}:${kind}/${name.toLowerCase()}`;
}

/** A deploy-time value that cannot be rendered, with where it is. */
export class UnrenderableValue extends Error {}

/** Evaluates the deploy-time values of one stack's template (of an assembly's templates). */
export class DeployValues {
  constructor(
    private readonly templates: ReadonlyMap<string, TemplateLike>,
    private readonly stack: string,
  ) {}

  private get template(): TemplateLike {
    const template = this.templates.get(this.stack);
    if (!template) throw new UnrenderableValue(`no template of stack ${this.stack} in the assembly`);
    return template;
  }

  /** A value as text, every intrinsic inside it evaluated. */
  public text(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const [fn, args] = intrinsicOf(value) ?? [];
    switch (fn) {
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return parts.filter((p) => !isNoValue(p)).map((p) => this.text(p)).join(separator);
      }
      case 'Fn::Sub': {
        const [body, variables] = (Array.isArray(args) ? args : [args, {}]) as [string, Json];
        return body.replace(/\$\{([^}]+)\}/g, (_whole, name: string) =>
          // `${!Literal}` is the text `${Literal}`.
          name.startsWith('!') ? `\${${name.slice(1)}}` : name in variables ? this.text(variables[name]) : name.includes('.') ? this.attribute(...splitAttribute(name)) : this.ref(name),
        );
      }
      case 'Ref':
        return this.ref(String(args));
      case 'Fn::GetAtt':
        return this.attribute(...(Array.isArray(args) ? (args as [string, unknown]).map((a) => this.text(a)) as [string, string] : splitAttribute(String(args))));
      case 'Fn::FindInMap': {
        const [map, first, second] = (args as unknown[]).map((a) => this.text(a));
        const found = this.template.Mappings?.[map]?.[first]?.[second];
        if (found === undefined) throw new UnrenderableValue(`${this.stack}: mapping ${map}[${first}][${second}] does not exist`);
        return this.text(found);
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = args as Json;
        return this.output(this.text(StackName), (outputs) => outputs[this.text(OutputName)], `output ${this.text(OutputName)}`);
      }
      case 'Fn::ImportValue': {
        const name = this.text(args);
        for (const [stack, template] of this.templates) {
          const producer = new DeployValues(this.templates, stack);
          const found = Object.values(template.Outputs ?? {}).find((o) => o.Export && producer.text(o.Export.Name) === name);
          if (found) return this.output(stack, () => found, `export ${name}`);
        }
        throw new UnrenderableValue(`${this.stack}: no stack of the assembly exports ${name}`);
      }
      default:
        throw new UnrenderableValue(`${this.stack}: cannot render ${JSON.stringify(value)}`);
    }
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId':
        return PLACEHOLDER_ENVIRONMENT.account;
      case 'AWS::Region':
        return PLACEHOLDER_ENVIRONMENT.region;
      case 'AWS::Partition':
        return PLACEHOLDER_ENVIRONMENT.partition;
      case 'AWS::URLSuffix':
        return PLACEHOLDER_ENVIRONMENT.urlSuffix;
      case 'AWS::StackName':
        return this.stack;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      // A parameter that CloudFormation reads from SSM at deploy time renders as the reference it is.
      if (parameter.Type?.startsWith('AWS::SSM::Parameter::Value')) return `{{resolve:ssm:${this.text(parameter.Default)}}}`;
      if (parameter.Default !== undefined) return this.text(parameter.Default);
      throw new UnrenderableValue(`${this.stack}: parameter ${name} has no default`);
    }
    const resource = this.resource(name);
    const kind = NAMED_TYPES[resource.Type];
    if (!kind) throw new UnrenderableValue(`${this.stack}: cannot render a reference to ${name} (${resource.Type}): the renderer knows ${Object.keys(NAMED_TYPES).join(', ')}`);
    return kind.ref === 'arn' ? kind.arn(this.physicalName(name)) : this.physicalName(name);
  }

  private attribute(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const kind = NAMED_TYPES[resource.Type];
    if (attribute === 'Arn' && kind) return kind.arn(this.physicalName(logicalId));
    // The attribute that is the resource's name (e.g. a topic's TopicName), and no other.
    if (kind?.name !== undefined && attribute === kind.name) return this.physicalName(logicalId);
    throw new UnrenderableValue(`${this.stack}: cannot render ${logicalId}.${attribute} (${resource.Type})`);
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) throw new UnrenderableValue(`${this.stack}: no resource or parameter ${logicalId}`);
    return resource;
  }

  /**
   * The resource's name: its name property when the template sets one, else one of the shape
   * CloudFormation generates (`<stack>-<logical id>`); a key's id is a UUID made from the same.
   */
  private physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const kind = NAMED_TYPES[resource.Type];
    const property = kind?.name?.split('.').reduce<unknown>((v, key) => (v as Json | undefined)?.[key], resource.Properties);
    if (property !== undefined) return this.text(property);
    if (resource.Type === 'AWS::KMS::Key') return uuidOf(`${this.stack}/${logicalId}`);
    const generated = `${this.stack}-${logicalId}`;
    const name = resource.Type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
    return name.slice(0, kind?.maxLength ?? 128);
  }

  private output(stack: string, pick: (outputs: NonNullable<TemplateLike['Outputs']>) => { readonly Value?: unknown } | undefined, what: string): string {
    const found = pick(this.templates.get(stack)?.Outputs ?? {});
    if (found?.Value === undefined) throw new UnrenderableValue(`${this.stack}: stack ${stack} has no ${what}`);
    return new DeployValues(this.templates, stack).text(found.Value);
  }
}

function intrinsicOf(value: unknown): [string, unknown] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')) ? [keys[0], (value as Json)[keys[0]]] : undefined;
}

function isNoValue(value: unknown): boolean {
  const found = intrinsicOf(value);
  return found?.[0] === 'Ref' && found[1] === 'AWS::NoValue';
}

function splitAttribute(text: string): [string, string] {
  return [text.slice(0, text.indexOf('.')), text.slice(text.indexOf('.') + 1)];
}

function uuidOf(seed: string): string {
  const hex = crypto.createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
