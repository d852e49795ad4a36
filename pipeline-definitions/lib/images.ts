/**
 * Container images of the pipelines, by region. The registry account of the AWS Deep Learning
 * Containers differs by region (the SageMaker Python SDK's `image_uri_config/huggingface.json`
 * lists them); stacks turn this table into a `CfnMapping` so that they stay environment-agnostic.
 */

/** The Deep Learning Containers registry account of each region (all others: the default). */
export const DLC_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-3': '364406365360',
  'ap-south-2': '772153158452',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-2': '380420809688',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
};

/** The registry account of most regions. */
export const DLC_DEFAULT_ACCOUNT = '763104351884';

/** The regions the app knows (those of the default account and the exceptions above). */
export const KNOWN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  ...Object.keys(DLC_REGISTRY_ACCOUNTS),
] as const;

/**
 * The images the BERT pipeline runs (repository and tag). Training and processing use the Hugging
 * Face PyTorch training container (transformers, pandas and pyarrow inside, so nothing installs at
 * run time); hosting and batch transform the Hugging Face PyTorch inference container.
 */
export const IMAGES = {
  huggingFaceTraining: { repository: 'huggingface-pytorch-training', tag: '2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04' },
  huggingFaceInference: { repository: 'huggingface-pytorch-inference', tag: '2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04' },
} as const;

export type ImageName = keyof typeof IMAGES;

/** The registry account of a region's Deep Learning Containers. */
export function dlcAccount(region: string): string {
  return DLC_REGISTRY_ACCOUNTS[region] ?? DLC_DEFAULT_ACCOUNT;
}

/** An image URI for a concrete region and URL suffix (e.g. for rendering with placeholders). */
export function imageUri(image: ImageName, region: string, urlSuffix = 'amazonaws.com'): string {
  const { repository, tag } = IMAGES[image];
  return `${dlcAccount(region)}.dkr.ecr.${region}.${urlSuffix}/${repository}:${tag}`;
}

/** Registry accounts of SageMaker Debugger's rule evaluator image (`sagemaker-debugger-rules:latest`). */
export const DEBUGGER_RULE_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '314341159256',
  'ap-east-1': '199566480951',
  'ap-northeast-1': '430734990657',
  'ap-northeast-2': '578805364391',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '904829902805',
  'ap-southeast-1': '972752614525',
  'ap-southeast-2': '184798709955',
  'ca-central-1': '519511493484',
  'cn-north-1': '618459771430',
  'cn-northwest-1': '658757709296',
  'eu-central-1': '482524230118',
  'eu-north-1': '314864569078',
  'eu-south-1': '563282790590',
  'eu-west-1': '929884845733',
  'eu-west-2': '250201462417',
  'eu-west-3': '447278800020',
  'me-south-1': '986000313247',
  'sa-east-1': '818342061345',
  'us-east-1': '503895931360',
  'us-east-2': '915447279597',
  'us-gov-west-1': '515509971035',
  'us-west-1': '685455198987',
  'us-west-2': '895741380848',
};

/** The Debugger rule evaluator image of a region (undefined where Debugger has none). */
export function debuggerRuleImageUri(region: string, urlSuffix = 'amazonaws.com'): string | undefined {
  const account = DEBUGGER_RULE_ACCOUNTS[region];
  return account ? `${account}.dkr.ecr.${region}.${urlSuffix}/sagemaker-debugger-rules:latest` : undefined;
}
