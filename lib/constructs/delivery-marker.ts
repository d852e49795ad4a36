import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { DELIVERY_MARKER } from '../lake-layout';
import { awsCallHandler } from './aws-call-handler';
import { ILakeStorage } from './data-lake-storage';
import { functionRole } from './function-role';

export interface DeliveryMarkerProps {
  readonly storage: ILakeStorage;
  /** The lake prefix the delivery's files are under (ending with a slash). */
  readonly prefix: string;
  /** The delivery's files, relative to the prefix: the marker lists them (a manifest). */
  readonly files: readonly string[];
  /** What writes the files: the marker is written after it. */
  readonly after: IDependable;
  /** Changes when the delivered files change: the marker is then written again (a new delivery). */
  readonly version: string;
  /**
   * Name of the handler's log group, encrypted with the lake key (whose policy must let CloudWatch
   * Logs use it for that name).
   */
  readonly logGroupName: string;
}

/**
 * Writes a delivery's marker object, `<prefix>_SUCCESS` ({@link DELIVERY_MARKER}), after the
 * upload of its files, at deploy time: a pipeline that starts on new data starts once per delivery,
 * on the marker, never on a half-written one. The marker is a small manifest (the files and the
 * version); it is written again when the version changes and left in place when the stack goes.
 * The handler runs with a role of its own (no AWS managed policy) that may write that one object
 * and its own log group.
 */
export class DeliveryMarker extends Construct {
  /** The marker's key in the lake. */
  public readonly key: string;

  constructor(scope: Construct, id: string, props: DeliveryMarkerProps) {
    super(scope, id);
    if (!props.prefix.endsWith('/')) throw new Error(`DeliveryMarker: prefix '${props.prefix}' must end with a slash.`);
    this.key = `${props.prefix}${DELIVERY_MARKER}`;
    const { bucket, key } = props.storage;
    const put: cr.AwsSdkCall = {
      service: 'S3',
      action: 'putObject',
      parameters: {
        Bucket: bucket.bucketName,
        Key: this.key,
        Body: JSON.stringify({ files: props.files, version: props.version }),
        ContentType: 'application/json',
      },
      physicalResourceId: cr.PhysicalResourceId.of(this.key),
    };
    const { role, logGroup } = functionRole(this, { logGroupName: props.logGroupName, logKey: key, description: `Writes the ${DELIVERY_MARKER} marker of a delivery under ${props.prefix}` });
    const marker = new cr.AwsCustomResource(this, 'Resource', {
      role,
      logGroup,
      onCreate: put,
      onUpdate: put,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(this.key)] }),
        // The lake's default encryption: S3 asks the lake key for a data key on the writer's behalf.
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    marker.node.addDependency(props.after);
    awsCallHandler(this);
  }
}
