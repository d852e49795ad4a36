import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ILakeStorage } from './constructs/data-lake-storage';
import { HumanReviewCatalog } from './constructs/human-review-catalog';
import { MfaChoice, ReviewerPool, reviewerDomainPrefix, ThreatProtectionChoice } from './constructs/reviewer-pool';
import { ReviewQueueTable } from './constructs/review-queue-table';
import { LakePrefix } from './lake-layout';
import { resourceName } from './naming';
import { StatefulStack, StatefulStackProps } from './stateful-stack';

export interface HumanReviewStateStackProps extends StatefulStackProps {
  /** The lake, where the reviewers' labels are catalogued. */
  readonly storage: ILakeStorage;
  /** The lake's Glue database. */
  readonly databaseName: string;
  /** The endpoint whose predictions are reviewed. */
  readonly endpointName: string;
  readonly mfa: MfaChoice;
  readonly threatProtection: ThreatProtectionChoice;
}

/**
 * Human review's state: the reviewers (a Cognito user pool, its group and sign-in domain), the
 * review queue (a DynamoDB table with a key of its own and point-in-time recovery) and the Glue
 * table of the labels in the lake. Kept apart from the APIs and the app, so they can be replaced at
 * will; retained and protected from termination in prod.
 */
export class HumanReviewStateStack extends StatefulStack {
  public readonly reviewers: ReviewerPool;
  public readonly queue: ReviewQueueTable;
  public readonly catalog: HumanReviewCatalog;

  constructor(scope: Construct, id: string, props: HumanReviewStateStackProps) {
    super(scope, id, 'Human review state: the reviewers, the review queue and the catalog of their labels', props);
    this.reviewers = new ReviewerPool(this, 'Reviewers', {
      userPoolName: resourceName(this.namePrefix, 'reviewers', 128),
      domainPrefix: reviewerDomainPrefix(this.namePrefix, props.env?.account),
      mfa: props.mfa,
      threatProtection: props.threatProtection,
      removalPolicy: this.removalPolicy,
    });
    this.queue = new ReviewQueueTable(this, 'Queue', {
      tableName: resourceName(this.namePrefix, 'human-review', 255),
      removalPolicy: this.removalPolicy,
    });
    this.catalog = new HumanReviewCatalog(this, 'Catalog', {
      storage: props.storage,
      databaseName: props.databaseName,
      prefix: LakePrefix.humanReview,
      endpointNames: [props.endpointName],
    });
    new CfnOutput(this, 'UserPoolId', { value: this.reviewers.userPool.userPoolId, description: 'Add reviewers here, to the reviewers group' });
    new CfnOutput(this, 'ReviewTableName', { value: this.queue.table.tableName, description: 'The review queue' });
  }
}
