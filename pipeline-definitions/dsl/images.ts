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
 * The Deep Learning Container images the families run (repository and tag). The Hugging Face
 * PyTorch training container has transformers, pandas and pyarrow inside, so nothing installs at
 * run time; the Hugging Face PyTorch inference container serves the models.
 */
export const IMAGES = {
  huggingFaceTraining: { repository: 'huggingface-pytorch-training', tag: '2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04' },
  huggingFaceInference: { repository: 'huggingface-pytorch-inference', tag: '2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04' },
} as const;

/**
 * Registry accounts of SageMaker's scikit-learn images (`sagemaker-scikit-learn`; the SageMaker
 * Python SDK's `image_uri_config/sklearn.json`, the same for training, processing and inference).
 */
export const SKLEARN_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'me-south-1': '801668240914',
  'me-central-1': '272398656194',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-west-1': '414596584902',
  'us-gov-east-1': '237065988967',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/**
 * Registry accounts of SageMaker's built-in BlazingText image (`blazingtext:1`, training and
 * inference; the SageMaker Python SDK's `image_uri_config/blazingtext.json`).
 */
export const BLAZINGTEXT_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '455444449433',
  'ap-east-1': '286214385809',
  'ap-northeast-1': '501404015308',
  'ap-northeast-2': '306986355934',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '991648021394',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '544295431143',
  'ca-central-1': '469771592824',
  'cn-north-1': '390948362332',
  'cn-northwest-1': '387376663083',
  'eu-central-1': '813361260812',
  'eu-north-1': '669576153137',
  'eu-west-1': '685385470294',
  'eu-west-2': '644912444149',
  'eu-west-3': '749696950732',
  'eu-south-1': '257386234256',
  'me-south-1': '249704162688',
  'sa-east-1': '855470959533',
  'us-east-1': '811284229777',
  'us-east-2': '825641698319',
  'us-gov-west-1': '226302683700',
  'us-west-1': '632365934929',
  'us-west-2': '433757028032',
};

/**
 * Framework images of SageMaker's own registries, whose accounts differ by region from the Deep
 * Learning Containers': account table, repository and tag. A family names the ones it runs.
 */
export const FRAMEWORK_IMAGES = {
  sklearn: { accounts: SKLEARN_ACCOUNTS, repository: 'sagemaker-scikit-learn', tag: '1.2-1-cpu-py3' },
  blazingtext: { accounts: BLAZINGTEXT_ACCOUNTS, repository: 'blazingtext', tag: '1' },
} as const;

/**
 * Images a service chooses at run time, whose tag no definition names: the Deep Learning
 * Containers repositories the roles may pull them from. Autopilot's ENSEMBLING mode trains
 * candidates with AutoGluon and serves the best on AutoGluon's inference image (its tag is the
 * best candidate's `InferenceContainers[0].Image`, a property).
 */
export const RUNTIME_IMAGES = {
  autopilotTraining: { repository: 'autogluon-training' },
  autopilotCandidate: { repository: 'autogluon-inference' },
} as const;

export type DlcImageName = keyof typeof IMAGES;
export type FrameworkImageName = keyof typeof FRAMEWORK_IMAGES;
export type RuntimeImageName = keyof typeof RUNTIME_IMAGES;
/** An image a family's jobs or models run: a Deep Learning Container, a framework image, or one a service chooses at run time. */
export type ImageName = DlcImageName | FrameworkImageName | RuntimeImageName;

/** Whether an image is one a service chooses at run time (its repository known, not its tag). */
export function isRuntimeImage(name: ImageName): name is RuntimeImageName {
  return name in RUNTIME_IMAGES;
}

/** Whether an image is a framework image of SageMaker's own registries. */
export function isFrameworkImage(name: ImageName): name is FrameworkImageName {
  return name in FRAMEWORK_IMAGES;
}

/** An image's repository and tag, whichever registry it is in; an error for one a service chooses at run time. */
export function imageRepositoryAndTag(name: ImageName): { readonly repository: string; readonly tag: string } {
  if (isRuntimeImage(name)) {
    throw new Error(`Image ${name} (${RUNTIME_IMAGES[name].repository}) is chosen at run time; a definition reads its URI from the step that chose it.`);
  }
  return isFrameworkImage(name) ? FRAMEWORK_IMAGES[name] : IMAGES[name];
}

/** An image's repository, whichever registry it is in (a run-time image's too). */
export function imageRepository(name: ImageName): string {
  return isRuntimeImage(name) ? RUNTIME_IMAGES[name].repository : imageRepositoryAndTag(name).repository;
}

/** The registry account of a region's Deep Learning Containers. */
export function dlcAccount(region: string): string {
  return DLC_REGISTRY_ACCOUNTS[region] ?? DLC_DEFAULT_ACCOUNT;
}

/** An image URI for a concrete region and URL suffix (e.g. for rendering with placeholders); an error where a framework image has no registry. */
export function imageUri(image: ImageName, region: string, urlSuffix = 'amazonaws.com'): string {
  const { repository, tag } = imageRepositoryAndTag(image);
  const account = isFrameworkImage(image) ? FRAMEWORK_IMAGES[image].accounts[region] : dlcAccount(region);
  if (account === undefined) throw new Error(`Image ${image} has no registry in region ${region}.`);
  return `${account}.dkr.ecr.${region}.${urlSuffix}/${repository}:${tag}`;
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
  return managedImageUri('debugger', region, urlSuffix);
}

/** Registry accounts of SageMaker Clarify's processing image (`sagemaker-clarify-processing:1.0`). */
export const CLARIFY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '811711786498',
  'ap-east-1': '098760798382',
  'ap-northeast-1': '377024640650',
  'ap-northeast-2': '263625296855',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '452307495513',
  'ap-southeast-1': '834264404009',
  'ap-southeast-2': '007051062584',
  'ca-central-1': '675030665977',
  'cn-north-1': '122526803553',
  'cn-northwest-1': '122578899357',
  'eu-central-1': '017069133835',
  'eu-north-1': '763603941244',
  'eu-south-1': '638885417683',
  'eu-west-1': '131013547314',
  'eu-west-2': '440796970383',
  'eu-west-3': '341593696636',
  'me-south-1': '835444307964',
  'sa-east-1': '520018980103',
  'us-east-1': '205585389593',
  'us-east-2': '211330385671',
  'us-west-1': '740489534195',
  'us-west-2': '306415355426',
};

/** Registry accounts of SageMaker Model Monitor's analyzer image (`sagemaker-model-monitor-analyzer`). */
export const MODEL_MONITOR_ACCOUNTS: Readonly<Record<string, string>> = {
  'eu-north-1': '895015795356',
  'me-south-1': '607024016150',
  'ap-south-1': '126357580389',
  'us-east-2': '777275614652',
  'eu-west-1': '468650794304',
  'eu-central-1': '048819808253',
  'sa-east-1': '539772159869',
  'ap-east-1': '001633400207',
  'us-east-1': '156813124566',
  'ap-northeast-2': '709848358524',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'ap-northeast-1': '574779866223',
  'us-west-2': '159807026194',
  'us-west-1': '890145073186',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
};

/** The managed services' images, by name: account table and repository with tag. */
export const MANAGED_IMAGES = {
  debugger: { accounts: DEBUGGER_RULE_ACCOUNTS, repository: 'sagemaker-debugger-rules', tag: 'latest' },
  clarify: { accounts: CLARIFY_ACCOUNTS, repository: 'sagemaker-clarify-processing', tag: '1.0' },
  modelMonitor: { accounts: MODEL_MONITOR_ACCOUNTS, repository: 'sagemaker-model-monitor-analyzer', tag: 'latest' },
} as const;

export type ManagedImageName = keyof typeof MANAGED_IMAGES;

/** A managed service's image in a region (undefined where the service has none). */
export function managedImageUri(name: keyof typeof MANAGED_IMAGES, region: string, urlSuffix = 'amazonaws.com'): string | undefined {
  const image = MANAGED_IMAGES[name];
  const account = image.accounts[region];
  return account ? `${account}.dkr.ecr.${region}.${urlSuffix}/${image.repository}:${image.tag}` : undefined;
}
