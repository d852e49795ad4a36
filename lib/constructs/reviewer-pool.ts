import { Aws, Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** Words Cognito refuses in a prefix domain. */
const RESERVED_DOMAIN_WORDS = /aws|amazon|cognito/;

/**
 * The prefix of the reviewers' sign-in domain: `<name prefix>-review-<account id>`, unique across
 * accounts as a prefix domain must be in its region. Cognito refuses `aws`, `amazon` and `cognito`
 * in it, so a hyphen is put after their first letter (`myaws` becomes `mya-ws`).
 */
export function reviewerDomainPrefix(namePrefix: string, account: string = Aws.ACCOUNT_ID): string {
  const safe = namePrefix.replace(new RegExp(RESERVED_DOMAIN_WORDS.source, 'g'), (word) => `${word[0]}-${word.slice(1)}`);
  return `${safe}-review-${account}`;
}

export type MfaChoice = 'required' | 'optional' | 'off';
export type ThreatProtectionChoice = 'off' | 'audit' | 'enforced';

export interface ReviewerPoolProps {
  /** Name of the user pool. */
  readonly userPoolName: string;
  /** Prefix of the hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); see {@link reviewerDomainPrefix}. */
  readonly domainPrefix: string;
  /**
   * Reviewers' second factor (authenticator apps, TOTP).
   * @default 'required'
   */
  readonly mfa?: MfaChoice;
  /**
   * Cognito threat protection; anything but `off` needs the Plus plan.
   * @default 'off'
   */
  readonly threatProtection?: ThreatProtectionChoice;
  /**
   * The group whose members may review.
   * @default 'reviewers'
   */
  readonly reviewersGroupName?: string;
  /**
   * What happens to the pool (its users) when it leaves the stack; RETAIN also turns deletion protection on.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The reviewers: a Cognito user pool that administrators fill (no self sign-up), a strong password
 * policy, multi-factor sign-in with authenticator apps, recovery by e-mail only, the reviewers
 * group, and a hosted sign-in domain. App clients belong to the apps that sign in (the reviewer web
 * app makes its own).
 */
export class ReviewerPool extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly domain: cognito.UserPoolDomain;
  public readonly reviewersGroupName: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, where the apps send reviewers to sign in. */
  public readonly signInUrl: string;

  constructor(scope: Construct, id: string, props: ReviewerPoolProps) {
    super(scope, id);
    const prefix = props.domainPrefix;
    if (!Token.isUnresolved(prefix) && (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix) || RESERVED_DOMAIN_WORDS.test(prefix))) {
      throw new Error(`ReviewerPool: domainPrefix '${prefix}' is not allowed; expected 1 to 63 lowercase letters, digits and hyphens without aws, amazon or cognito.`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const mfa = props.mfa ?? 'required';
    const threat = props.threatProtection ?? 'off';
    this.userPool = new cognito.UserPool(this, 'Resource', {
      userPoolName: props.userPoolName,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: { required: cognito.Mfa.REQUIRED, optional: cognito.Mfa.OPTIONAL, off: cognito.Mfa.OFF }[mfa],
      mfaSecondFactor: mfa === 'off' ? undefined : { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: threat === 'off' ? cognito.FeaturePlan.ESSENTIALS : cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode:
        threat === 'off' ? undefined : threat === 'audit' ? cognito.StandardThreatProtectionMode.AUDIT_ONLY : cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'You are invited to review sentiment predictions',
        emailBody: 'Your user name is {username} and your temporary password is {####}. Sign in to the reviewer app to choose your own.',
      },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.reviewersGroupName = props.reviewersGroupName ?? 'reviewers';
    new cognito.UserPoolGroup(this, 'ReviewersGroup', {
      userPool: this.userPool,
      groupName: this.reviewersGroupName,
      description: 'May take and label review tasks in the reviewer app',
    });
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: prefix } });
    this.signInUrl = this.domain.baseUrl();

    if (mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: `Multi-factor sign-in is '${mfa}' by the humanReviewMfa setting (required is prod's default); reviewers sign in with strong passwords.`,
      });
    }
    const plan = `Threat protection is '${threat}' by the humanReviewThreatProtection setting: it needs Cognito's Plus plan, billed per active user, so it is the operator's choice.`;
    if (threat !== 'enforced') Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG3', reason: plan });
    if (threat === 'off') Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG8', reason: plan });
  }
}
