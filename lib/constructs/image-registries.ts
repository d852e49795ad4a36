import { Aws, CfnMapping, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CLARIFY_ACCOUNTS,
  DEBUGGER_RULE_ACCOUNTS,
  dlcAccount,
  FRAMEWORK_IMAGES,
  FrameworkImageName,
  ImageName,
  imageRepository,
  imageRepositoryAndTag,
  isFrameworkImage,
  KNOWN_REGIONS,
  MANAGED_IMAGES,
  MODEL_MONITOR_ACCOUNTS,
} from '../../pipeline-definitions/dsl/images';

/** An ECR repository of images (`account` may be a token, e.g. from {@link ImageRegistries}). */
export interface ImageRepository {
  readonly account: string;
  readonly repository: string;
}

/**
 * Lets a SageMaker role pull images from the given repositories, and log in to ECR (which takes
 * no resource: the grantee acknowledges `*` with its other such actions).
 */
export function grantImagePull(role: iam.Role, repositories: readonly ImageRepository[]): void {
  // Jobs that pull no image of these registries (e.g. a pipeline of Fail and Condition steps) need no login.
  if (repositories.length === 0) return;
  const stack = Stack.of(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PullImages',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: repositories.map(({ account, repository }) => stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: repository })),
    }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
}

/** The registries of the images: the Deep Learning Containers', the managed services' and the framework images'. */
export type ImageRegistry = 'dlc' | 'debugger' | 'clarify' | 'modelmonitor' | FrameworkImageName;

const MANAGED_REGISTRY: Record<keyof typeof MANAGED_IMAGES, ImageRegistry> = {
  debugger: 'debugger',
  clarify: 'clarify',
  modelMonitor: 'modelmonitor',
};

/**
 * The registry accounts of the platform's container images by region, as a `CfnMapping` read
 * with the stack's region: the stack stays environment-agnostic and resolves the right account
 * at deploy time. Regions without a managed service map it to `none`. A framework image's
 * registry (e.g. scikit-learn's) is a column of its own, added when the stack first reads it.
 */
export class ImageRegistries extends Construct {
  private readonly mapping: CfnMapping;
  private readonly frameworkColumns = new Set<FrameworkImageName>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.mapping = new CfnMapping(this, 'Resource', {
      mapping: Object.fromEntries(
        KNOWN_REGIONS.map((region) => [
          region,
          {
            dlc: dlcAccount(region),
            debugger: DEBUGGER_RULE_ACCOUNTS[region] ?? 'none',
            clarify: CLARIFY_ACCOUNTS[region] ?? 'none',
            modelmonitor: MODEL_MONITOR_ACCOUNTS[region] ?? 'none',
          },
        ]),
      ),
      lazy: true,
    });
    // One per stack, under the construct's own name: the template reads `ImageRegistries`.
    this.mapping.overrideLogicalId(id);
  }

  /** The registry account of the stack's region. */
  public account(registry: ImageRegistry): string {
    return this.mapping.findInMap(Aws.REGION, registry);
  }

  /** An image of the stack's region: a Deep Learning Container or a framework image. */
  public image(name: ImageName): string {
    const { repository, tag } = imageRepositoryAndTag(name);
    return `${this.account(this.registryOf(name))}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${repository}:${tag}`;
  }

  /** The registry an image is pulled from (a framework image's column made on first use; a run-time image's, the Deep Learning Containers'). */
  private registryOf(name: ImageName): ImageRegistry {
    if (!isFrameworkImage(name)) return 'dlc';
    if (!this.frameworkColumns.has(name)) {
      for (const region of KNOWN_REGIONS) this.mapping.setValue(region, name, FRAMEWORK_IMAGES[name].accounts[region] ?? 'none');
      this.frameworkColumns.add(name);
    }
    return name;
  }

  /** A managed service's image of the stack's region. */
  public managedImage(name: keyof typeof MANAGED_IMAGES): string {
    return `${this.account(MANAGED_REGISTRY[name])}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${MANAGED_IMAGES[name].repository}:${MANAGED_IMAGES[name].tag}`;
  }

  /** The ECR repository of an image (for pull grants). */
  public repository(name: ImageName): ImageRepository {
    return { account: this.account(this.registryOf(name)), repository: imageRepository(name) };
  }

  /** The ECR repository of a managed service's image. */
  public managedRepository(name: keyof typeof MANAGED_IMAGES): ImageRepository {
    return { account: this.account(MANAGED_REGISTRY[name]), repository: MANAGED_IMAGES[name].repository };
  }
}
