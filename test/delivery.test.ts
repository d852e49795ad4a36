/**
 * One execution per delivery: the pipeline starts on a delivery's marker object alone, which the
 * sample upload writes after the sample's files. Checked offline, with the rule's own pattern.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { DELIVERY_MARKER, LakePrefix, SAMPLE_REVIEWS_FILES } from '../lib/lake-layout';
import { matchesPattern, objectCreated } from './event-pattern';
import { buildApp } from './helpers';

const BUCKET = 'lake-bucket';

/** A value with every CloudFormation intrinsic (the lake bucket's name, imported) replaced by BUCKET. */
function withBucket(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withBucket);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return BUCKET;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBucket(v)]));
  }
  return value;
}

describe('one execution per delivery', () => {
  const { platform } = buildApp({ pipelineStartOnNewData: 'true' });
  const rules = Object.values(Template.fromStack(platform.pipelines['bert-sentiment']).findResources('AWS::Events::Rule')) as any[];
  const onNewData = rules.filter((rule) => rule.Properties.EventPattern?.source?.includes('aws.s3'));
  const pattern = withBucket(onNewData[0].Properties.EventPattern) as Record<string, unknown>;
  const starts = (keys: readonly string[]) => keys.filter((key) => matchesPattern(pattern, objectCreated(BUCKET, key)));
  const raw = LakePrefix.rawReviews;

  test('the BERT pipeline has one rule on new data', () => {
    expect(onNewData).toHaveLength(1);
  });

  test('the four-file sample starts one execution: on its marker, written after the files', () => {
    const delivery = [...SAMPLE_REVIEWS_FILES.map((file) => `${raw}${file}`), `${raw}${DELIVERY_MARKER}`];
    expect(delivery).toHaveLength(5);
    expect(starts(delivery)).toEqual([`${raw}${DELIVERY_MARKER}`]);

    // The data lake writes that marker, listing the files, after the sample's upload.
    const lake = Template.fromStack(platform.dataLake);
    const [marker] = Object.entries(lake.findResources('Custom::AWS')).filter(([id]) => id.startsWith('SampleDataDelivered')) as [string, any][];
    const call = JSON.parse((marker[1].Properties.Create['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : BUCKET)).join(''));
    expect(call).toMatchObject({ service: 'S3', action: 'putObject', parameters: { Bucket: BUCKET, Key: `${raw}${DELIVERY_MARKER}` } });
    expect(JSON.parse(call.parameters.Body).files).toEqual(SAMPLE_REVIEWS_FILES);
    expect(marker[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SampleDataDeploymentCustomResource/)]));
  });

  test('a delivery in a folder of its own starts one execution too; nothing else under the prefix does', () => {
    expect(starts([`${raw}2026-12-07/part-1.csv`, `${raw}2026-12-07/part-2.csv`, `${raw}2026-12-07/${DELIVERY_MARKER}`])).toEqual([`${raw}2026-12-07/${DELIVERY_MARKER}`]);
    expect(starts([`${raw}not${DELIVERY_MARKER}`, `${raw}${DELIVERY_MARKER}.csv`, `raw/dresses/${DELIVERY_MARKER}`, `${DELIVERY_MARKER}`])).toEqual([]);
    expect(matchesPattern(pattern, objectCreated('another-bucket', `${raw}${DELIVERY_MARKER}`))).toBe(false);
  });
});

describe('the test matcher reads EventBridge operators as EventBridge does', () => {
  test.each([
    [{ k: ['a'] }, { k: 'a' }, true],
    [{ k: ['a'] }, { k: 'b' }, false],
    [{ k: [{ prefix: 'ra' }] }, { k: 'raw' }, true],
    [{ k: [{ suffix: '.csv' }] }, { k: 'a.csv' }, true],
    [{ k: [{ suffix: '.csv' }] }, { k: 'a.json' }, false],
    [{ k: [{ wildcard: 'raw/*/_SUCCESS' }] }, { k: 'raw/a/b/_SUCCESS' }, true],
    [{ k: [{ wildcard: 'raw/*/_SUCCESS' }] }, { k: 'raw/_SUCCESS' }, false],
    [{ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' }, true],
    [{ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' }, false],
    [{ d: { k: ['a'] } }, { d: { k: 'a', other: 1 } }, true],
    [{ d: { k: ['a'] } }, { k: 'a' }, false],
    [{ k: [{ exists: false }] }, {}, true],
  ])('%j on %j: %p', (pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
