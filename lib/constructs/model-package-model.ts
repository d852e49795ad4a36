import { CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sm from '@aws-cdk/aws-sagemaker-alpha';
import { Construct } from 'constructs';
import { dependOnlyOn } from '../template-hygiene';

export interface ModelPackageModelProps {
  /** The versioned model package to serve (its image, artifact and environment). */
  readonly modelPackageArn: string;
  /** The least-privilege execution role: pulls the package's image, reads its artifact. */
  readonly role: iam.IRole;
  /**
   * Run the container without network access (the inference code is inside the artifact).
   * @default true
   */
  readonly networkIsolation?: boolean;
}

/** The alpha module's containers name an image; a model package names its own. */
class PackagedImage extends sm.ContainerImage {
  public bind(): sm.ContainerImageConfig {
    return { imageName: 'model-package' };
  }
}

/**
 * A SageMaker model made from a registered model package, through the alpha `Model` with the
 * container replaced by the package (the alpha module does not know packages): network-isolated
 * by default, with the given role and never the module's default `AmazonSageMakerFullAccess` one.
 * A package of several containers (a serial inference pipeline) is named the same way; its role
 * must pull every image the package names.
 */
export class ModelPackageModel extends Construct {
  public readonly model: sm.Model;

  constructor(scope: Construct, id: string, props: ModelPackageModelProps) {
    super(scope, id);
    this.model = new sm.Model(this, 'Resource', {
      role: props.role,
      networkIsolation: props.networkIsolation ?? true,
      containers: [{ image: new PackagedImage() }],
    });
    // The alpha module names its resource `Model`, not `Resource`.
    const cfn = this.model.node.findChild('Model') as sagemaker.CfnModel;
    // The package, of one container or several (a serial inference pipeline, which SageMaker
    // expands from the package, as the SageMaker Python SDK's ModelPackage relies on).
    cfn.addPropertyOverride('PrimaryContainer.ModelPackageName', props.modelPackageArn);
    cfn.addPropertyDeletionOverride('PrimaryContainer.Image');
    // The alpha Model waits for the whole role; the role itself is implied by its ARN, so wait
    // only for the role's policy (SageMaker checks the artifact's access on creation).
    const policy = props.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    dependOnlyOn(cfn, policy instanceof CfnElement ? [policy] : []);
  }
}
