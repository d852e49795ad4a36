/** Deploy-time values as the review shows them, and changed values named as a reviewer reads them. */
import { formatChange, leafChanges } from '../scripts/review/leaf-changes';
import { Placeholders } from '../scripts/review/placeholders';

const templates = new Map([
  [
    'lake',
    {
      Outputs: {
        BucketOut: { Value: { Ref: 'Bucket1' } },
        KeyArn: { Value: { 'Fn::GetAtt': ['Key1', 'Arn'] }, Export: { Name: 'lake:KeyArn' } },
      },
    },
  ],
  ['pipeline', {}],
]);
const placeholders = new Placeholders(templates, 'pipeline');

describe('placeholders', () => {
  test.each([
    [{ Ref: 'Role1' }, '${Role1}'],
    [{ 'Fn::GetAtt': ['Role1', 'Arn'] }, '${Role1.Arn}'],
    [{ Ref: 'AWS::Region' }, '${AWS::Region}'],
    [{ 'Fn::GetStackOutput': { StackName: 'lake', Region: { Ref: 'AWS::Region' }, OutputName: 'BucketOut' } }, '${lake:Bucket1}'],
    [{ 'Fn::ImportValue': 'lake:KeyArn' }, '${lake:Key1.Arn}'],
    [{ 'Fn::ImportValue': 'elsewhere:Thing' }, '${Import:elsewhere:Thing}'],
    [{ 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'dlc'] }, '${Images[AWS::Region].dlc}'],
    [{ 'Fn::Join': ['', ['s3://', { Ref: 'Bucket1' }, '/raw/']] }, 's3://${Bucket1}/raw/'],
    [{ 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${B}', { B: { Ref: 'Bucket1' } }] }, 'arn:${AWS::Partition}:s3:::${Bucket1}'],
    [{ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, '${Select(0, GetAZs())}'],
  ])('%j → %s', (value, expected) => {
    expect(placeholders.text(value)).toBe(expected);
  });

  test('a placeholder can stand inside a JSON string', () => {
    const body = { 'Fn::Join': ['', ['{"Uri":"', { 'Fn::Select': [0, ['a"b\\c']] }, '"}']] };
    expect(JSON.parse(placeholders.text(body))).toEqual({ Uri: '${Select(0, [abc])}' });
  });

  test('localize: reads of another stack become references to its resource', () => {
    expect(placeholders.localize({ A: [{ 'Fn::ImportValue': 'lake:KeyArn' }], B: 'x' })).toEqual({ A: [{ Ref: 'lake:Key1.Arn' }], B: 'x' });
  });
});

describe('leaf changes', () => {
  test('a command line is compared flag by flag', () => {
    const before = ['model-quality', '--tolerance', '0.05', '--skip', { Get: 'Parameters.Skip' }, '--verbose'];
    const after = ['model-quality', '--tolerance', '0.07', '--skip', { Get: 'Parameters.SkipIt' }, '--new', 'x'];
    expect(leafChanges(before, after, 'ContainerArguments').map(formatChange)).toEqual([
      '--tolerance 0.05 → 0.07',
      '--skip Get(Parameters.Skip) → Get(Parameters.SkipIt)',
      '--new (none) → x',
      '--verbose true → (none)',
    ]);
  });

  test('a repeated flag is compared as the list of its values; a value of another type is a change', () => {
    expect(leafChanges(['--input', 'a', '--input', 'b'], ['--input', 'c', '--input', 'b']).map(formatChange)).toEqual(['--input[0] a → c']);
    expect(leafChanges({ A: '1' }, { A: 1 }).map(formatChange)).toEqual(['A 1 → 1']);
  });

  test('long values are shown whole: no cut can hide what changed', () => {
    const text = (tail: string) => `${'x'.repeat(200)}${tail}${'y'.repeat(100)}`;
    expect(formatChange({ label: 'V', before: text('aa'), after: text('bb') })).toBe(`V ${text('aa')} → ${text('bb')}`);
    const statements = (extra: object[]) => [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(200)}/raw/*` }, ...extra];
    expect(leafChanges(statements([]), statements([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]), 'Statement').map(formatChange)).toEqual([
      'Statement[1] (none) → {"Effect":"Allow","Action":"s3:*","Resource":"*"}',
    ]);
  });

  test('lists of named objects are compared by name, others by position or whole', () => {
    expect(leafChanges([{ Name: 'a', V: 1 }, { Name: 'a', V: 2 }], [{ Name: 'a', V: 1 }, { Name: 'a', V: 3 }]).map(formatChange)).toEqual(['[1].V 2 → 3']);
    const inputs = (uri: string) => [
      { InputName: 'code', S3Input: { S3Uri: uri } },
      { InputName: 'data', S3Input: { S3Uri: 's3://b/d/' } },
    ];
    expect(leafChanges(inputs('s3://b/c1/'), inputs('s3://b/c2/').reverse(), 'ProcessingInputs').map(formatChange)).toEqual([
      'ProcessingInputs[code].S3Input.S3Uri s3://b/c1/ → s3://b/c2/',
    ]);
    expect(leafChanges({ A: [1, 2] }, { A: [1, 3] }).map(formatChange)).toEqual(['A[1] 2 → 3']);
    expect(leafChanges({ A: [1] }, { A: [1, 3] }).map(formatChange)).toEqual(['A [1] → [1, 3]']);
    expect(leafChanges({ A: { 'Std:JsonGet': { PropertyFile: 'P', Path: 'a.b' } } }, { A: 1 }).map(formatChange)).toEqual([
      'A JsonGet(P, a.b) → 1',
    ]);
  });
});

test('asset hashes are shortened to twelve digits', () => {
  const key = (hash: string) => `cdk-assets/${hash}.zip`;
  expect(formatChange({ label: 'Source.Location', before: key('a'.repeat(64)), after: key('b'.repeat(64)) })).toBe(
    `Source.Location cdk-assets/${'a'.repeat(12)}….zip → cdk-assets/${'b'.repeat(12)}….zip`,
  );
});
