import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  matches,
  validatePattern,
  type EventPattern,
} from '../../core/events/pattern.js';

// Sample events from the AWS EventBridge user guide ("Amazon EventBridge event patterns") and the
// aws/event-ruler README, which the content-filtering examples are written against.
const ec2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const ruler = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The ruler sample event with its detail fields replaced / extended. */
const d = (detail: Record<string, unknown>) => ({ ...ruler, detail });
const dd = (detail: Record<string, unknown>) => ({ ...ruler, detail: { ...ruler.detail, ...detail } });

const employees = {
  detail: {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  },
};

const cloudwatch = (detail: Record<string, unknown>, source = 'aws.cloudwatch') => ({ source, detail });

type Case = [description: string, pattern: EventPattern, event: unknown, expected: boolean];

const cases: Case[] = [
  // --- exact matching, structure, top-level fields ---------------------------------------------
  ['EC2 termination pattern (user guide) matches', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, ec2, true],
  ['EC2 termination pattern rejects a running instance', { source: ['aws.ec2'], detail: { state: ['terminated'] } }, { ...ec2, detail: { state: 'running' } }, false],
  ['values in a leaf are OR-ed (aws.ec2 or aws.fargate)', { source: ['aws.ec2', 'aws.fargate'] }, ec2, true],
  ['OR list without the event value does not match', { source: ['aws.fargate', 'aws.ecs'] }, ec2, false],
  ['fields not in the pattern are ignored', { source: ['aws.ec2'] }, ec2, true],
  ['a pattern field absent from the event does not match', { detail: { 'c-count': [5] } }, ec2, false],
  ['a missing intermediate object does not match', { detail: { a: { b: ['x'] } } }, ec2, false],
  ['resources: event array intersecting the pattern array matches (arrays doc)', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] }, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, true],
  ['resources: disjoint arrays do not match', { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, false],
  ['resources: empty event array matches no value', { resources: ['arn:x'] }, { resources: [] }, false],
  ['account is matchable', { account: ['111122223333'] }, ec2, true],
  ['region mismatch', { region: ['us-east-1'] }, ec2, false],
  ['version is matchable', { version: ['0'] }, ec2, true],
  ['id is matchable', { id: ['6a7e8feb-b491-4cf7-a9f1-bf3703467718'] }, ec2, true],
  ['time exact match', { time: ['2017-12-22T18:43:48Z'] }, ec2, true],
  ['AND across fields: one failing field fails the pattern', { source: ['aws.ec2'], region: ['eu-west-1'] }, ec2, false],
  ['exact number', { detail: { 'c-count': [5] } }, ruler, true],
  ['numbers compare numerically (3.018e2 == 301.8)', { detail: { 'x-limit': [3.018e2] } }, ruler, true],
  ['integer-valued float equals integer (5.0 == 5)', { detail: { n: [5.0] } }, d({ n: 5 }), true],
  ['number pattern does not match a numeric string', { detail: { n: [5] } }, d({ n: '5' }), false],
  ['string pattern does not match a number', { detail: { n: ['5'] } }, d({ n: 5 }), false],
  ['boolean true matches true', { detail: { enabled: [true] } }, d({ enabled: true }), true],
  ['boolean true does not match the string "true"', { detail: { enabled: [true] } }, d({ enabled: 'true' }), false],
  ['boolean false matches false', { detail: { enabled: [false] } }, d({ enabled: false }), true],
  ['null matches a null value (null-values doc)', { detail: { responseElements: [null] } }, d({ eventVersion: '', responseElements: null }), true],
  ['null does not match a missing field', { detail: { responseElements: [null] } }, d({ eventVersion: '' }), false],
  ['empty string matches an empty string (null-values doc)', { detail: { eventVersion: [''] } }, d({ eventVersion: '', responseElements: null }), true],
  ['empty string does not match null', { detail: { responseElements: [''] } }, d({ responseElements: null }), false],
  ['null does not match an empty string', { detail: { eventVersion: [null] } }, d({ eventVersion: '' }), false],
  ['deeply nested fields', { detail: { a: { b: { c: ['deep'] } } } }, d({ a: { b: { c: 'deep', other: 1 } } }), true],
  ['leaf pattern never matches an object value', { detail: { a: ['x'] } }, d({ a: { b: 'x' } }), false],
  ['object pattern does not match a primitive value', { detail: { a: { b: ['x'] } } }, d({ a: 'x' }), false],
  ['event array of primitives matches if any element does', { detail: { state: ['running'] } }, d({ state: ['initializing', 'running'] }), true],
  ['nested arrays are flattened', { detail: { tags: ['b'] } }, d({ tags: [['a'], ['b', 'c']] }), true],
  ['array of objects: a field of one element matches (ruler README)', { detail: { employees: { firstName: ['Anna'] } } }, employees, true],
  ['array of objects: fields must come from the same element', { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, employees, false],
  ['array of objects: both fields from one element match', { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, employees, true],
  ['multi-level arrays of objects', { employees: { firstName: ['Peter'] } }, { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] }, true],
  ['non-object events never match a field pattern', { source: ['aws.ec2'] }, 'aws.ec2', false],

  // --- prefix -----------------------------------------------------------------------------------
  ['prefix on time (content filtering doc)', { time: [{ prefix: '2017-10-02' }] }, ruler, true],
  ['prefix on time, other day', { time: [{ prefix: '2017-10-03' }] }, ruler, false],
  ['prefix: Auto Scaling events from European regions', { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, { source: 'aws.autoscaling', region: 'eu-west-1' }, true],
  ['prefix: US region is not European', { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, { source: 'aws.autoscaling', region: 'us-east-1' }, false],
  ['prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, ec2, false],
  ['prefix only applies to strings', { detail: { 'c-count': [{ prefix: '5' }] } }, ruler, false],
  ['prefix equals-ignore-case (operators doc: service begins with "eventb")', { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'EVENTBRIDGE' }, true],
  ['prefix equals-ignore-case mismatch', { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'sqs' }, false],
  ['prefix on any element of an array', { resources: [{ prefix: 'arn:aws:ec2:' }] }, ec2, true],

  // --- suffix -----------------------------------------------------------------------------------
  ['suffix: FileName ends with .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.png' }, true],
  ['suffix: .jpg is not .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.jpg' }, false],
  ['suffix on source (ruler README)', { source: [{ suffix: 'ec2' }] }, ruler, true],
  ['suffix equals-ignore-case ("tbridge")', { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EventBridge' }, true],
  ['suffix equals-ignore-case mismatch', { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EventBus' }, false],

  // --- equals-ignore-case -------------------------------------------------------------------------
  ['equals-ignore-case: Name is "Alice"', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
  ['equals-ignore-case is whole-string', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false],
  ['equals-ignore-case only applies to strings', { n: [{ 'equals-ignore-case': '5' }] }, { n: 5 }, false],
  ['equals-ignore-case on source (ruler README)', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ruler, true],

  // --- anything-but -------------------------------------------------------------------------------
  ['anything-but string: running is not initializing', { detail: { state: [{ 'anything-but': 'initializing' }] } }, ruler, true],
  ['anything-but string: initializing is excluded', { detail: { state: [{ 'anything-but': 'initializing' }] } }, dd({ state: 'initializing' }), false],
  ['anything-but number: 301.8 is not 123', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ruler, true],
  ['anything-but number: 123 is excluded', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, dd({ 'x-limit': 123 }), false],
  ['anything-but list of strings excludes stopped', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, dd({ state: 'stopped' }), false],
  ['anything-but list of strings lets running through', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ruler, true],
  ['anything-but list of numbers excludes 200', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, dd({ 'x-limit': 200 }), false],
  ['anything-but list of numbers lets 301.8 through', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ruler, true],
  ['anything-but prefix excludes "init…"', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, dd({ state: 'initializing' }), false],
  ['anything-but prefix lets other values through', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ruler, true],
  ['anything-but prefix "aws.": custom sources only', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'com.mycompany.orders' }, true],
  ['anything-but prefix "aws.": AWS events excluded', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, ec2, false],
  ['anything-but suffix excludes .png', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
  ['anything-but suffix lets .txt through', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.txt' }, true],
  ['anything-but equals-ignore-case excludes INITIALIZING', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
  ['anything-but equals-ignore-case list excludes Stopped', { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Stopped' }, false],
  ['anything-but equals-ignore-case list lets running through', { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'running' }, true],
  ['anything-but wildcard excludes paths containing /lib/', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/libc.so' }, false],
  ['anything-but wildcard lets /bin/ paths through', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/env' }, true],
  ['anything-but wildcard list', { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { FilePath: '/usr/bin/env' }, false],
  ['anything-but does not match a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, ruler, false],
  ['anything-but on an array: matches when some element is not excluded', { detail: { state: [{ 'anything-but': 'initializing' }] } }, d({ state: ['initializing', 'running'] }), true],
  ['anything-but on an array: all elements excluded', { detail: { state: [{ 'anything-but': ['a', 'b'] }] } }, d({ state: ['a', 'b'] }), false],
  ['anything-but all CloudTrail API calls', { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] }, ec2, true],
  ['anything-but list of sources excludes aws.ec2', { source: [{ 'anything-but': ['aws.ec2', 'aws.s3'] }] }, ec2, false],

  // --- numeric ----------------------------------------------------------------------------------
  ['numeric: content filtering example matches (all fields)', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ruler, true],
  ['numeric: upper bound exclusive', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, ruler, false],
  ['numeric: lower bound exclusive', { detail: { n: [{ numeric: ['>', 0] }] } }, d({ n: 0 }), false],
  ['numeric: >= includes the bound', { detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, ruler, true],
  ['numeric: <= excludes values just above', { detail: { n: [{ numeric: ['<=', 5] }] } }, d({ n: 5.0001 }), false],
  ['numeric: numeric strings never match', { detail: { n: [{ numeric: ['>', 0] }] } }, d({ n: '5' }), false],
  ['numeric: negative range', { detail: { n: [{ numeric: ['>', -5, '<', 0] }] } }, d({ n: -3 }), true],
  ['numeric: any element of an array', { detail: { n: [{ numeric: ['>', 10] }] } }, d({ n: [1, 50] }), true],
  ['numeric: = with float equal to int', { detail: { n: [{ numeric: ['=', 3] }] } }, d({ n: 3.0 }), true],
  ['numeric: null is not a number', { detail: { n: [{ numeric: ['>=', 0] }] } }, d({ n: null }), false],
  ['numeric: boolean is not a number', { detail: { n: [{ numeric: ['>=', 0] }] } }, d({ n: true }), false],
  ['numeric OR exact values', { detail: { n: [{ numeric: ['<', 0] }, 42] } }, d({ n: 42 }), true],

  // --- exists -----------------------------------------------------------------------------------
  ['exists true: field present', { detail: { 'c-count': [{ exists: true }] } }, ruler, true],
  ['exists true: field missing', { detail: { description: [{ exists: true }] } }, ruler, false],
  ['exists false: field missing (content filtering doc)', { detail: { 'c-count': [{ exists: false }] } }, { 'detail-type': 'x', detail: { state: ['initializing', 'running'] } }, true],
  ['exists false: field present', { detail: { 'c-count': [{ exists: false }] } }, ruler, false],
  ['exists false: object value is not a leaf (doc)', { detail: { 'c-count': [{ exists: false }] } }, d({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }), true],
  ['exists true: object value is not a leaf', { detail: { 'c-count': [{ exists: true }] } }, d({ 'c-count': { c1: 100 } }), false],
  ['exists true: null counts as present', { detail: { r: [{ exists: true }] } }, d({ r: null }), true],
  ['exists false: null counts as present', { detail: { r: [{ exists: false }] } }, d({ r: null }), false],
  ['exists true: empty array has no value', { detail: { r: [{ exists: true }] } }, d({ r: [] }), false],
  ['exists false: empty array has no value', { detail: { r: [{ exists: false }] } }, d({ r: [] }), true],
  ['exists false under a missing parent', { detail: { a: { b: [{ exists: false }] } } }, ruler, true],
  ['exists false with no detail at all', { detail: { a: [{ exists: false }] } }, { source: 'x' }, true],
  ['exists true: selecting events with a description (doc)', { detail: { description: [{ exists: true }] } }, dd({ description: 'full text' }), true],
  ['exists true: empty string is present', { detail: { s: [{ exists: true }] } }, d({ s: '' }), true],
  ['exists combined with exact values (OR)', { detail: { s: [{ exists: false }, 'x'] } }, d({ s: 'x' }), true],

  // --- wildcard ---------------------------------------------------------------------------------
  ['wildcard in the middle (ruler README)', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' }, true],
  ['wildcard matches zero characters', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' }, true],
  ['wildcard leading: *.png', { key: [{ wildcard: '*.png' }] }, { key: 'dir/image.png' }, true],
  ['wildcard two stars: *Title*', { key: [{ wildcard: '*Title*' }] }, { key: 'A Title Here' }, true],
  ['wildcard S3 key path (blog example)', { detail: { object: { key: [{ wildcard: 'uploads/*/XYZ/*.csv' }] } } }, d({ object: { key: 'uploads/2023-01-01/XYZ/trades.csv' } }), true],
  ['wildcard S3 key path: other symbol', { detail: { object: { key: [{ wildcard: 'uploads/*/XYZ/*.csv' }] } } }, d({ object: { key: 'uploads/2023-01-01/ABC/trades.csv' } }), false],
  ['wildcard: escaped * is literal', { k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' }, true],
  ['wildcard: escaped * does not match other chars', { k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' }, false],
  ['wildcard: escaped backslash', { k: [{ wildcard: 'a\\\\b*' }] }, { k: 'a\\bcd' }, true],
  ['wildcard: regex metacharacters are literal', { k: [{ wildcard: 'a.c*' }] }, { k: 'abcd' }, false],
  ['wildcard only applies to strings', { k: [{ wildcard: '1*' }] }, { k: 12 }, false],
  ['wildcard is case-sensitive', { k: [{ wildcard: 'simple*' }] }, { k: 'SimpleQueue' }, false],

  // --- cidr -------------------------------------------------------------------------------------
  ['cidr /24 contains 10.0.0.33', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ruler, true],
  ['cidr /24 excludes 10.0.1.5', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, dd({ 'source-ip': '10.0.1.5' }), false],
  ['cidr /8', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.255.1.1' }, true],
  ['cidr /32 is a single address', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.7' }, true],
  ['cidr /0 contains every IPv4 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' }, true],
  ['cidr IPv6 /32 contains 2001:db8:1::1', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::1' }, true],
  ['cidr IPv6 /32 excludes 2001:db9::1', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
  ['cidr IPv6 full form and case', { ip: [{ cidr: '2001:DB8::/48' }] }, { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }, true],
  ['cidr IPv6 with embedded IPv4', { ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.0.0.1' }, true],
  ['cidr IPv4 range does not contain an IPv6 address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '::1' }, false],
  ['cidr: non-IP strings never match', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0' }, false],
  ['cidr: numbers never match', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 167772161 }, false],

  // --- $or --------------------------------------------------------------------------------------
  ['$or normal: source && (metricName || namespace), namespace matches', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] }, { source: 'aws.cloudwatch', metricName: 'Other', namespace: 'AWS/EC2' }, true],
  ['$or normal: neither alternative', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.cloudwatch', metricName: 'Other', namespace: 'AWS/S3' }, false],
  ['$or normal: sibling field still required', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.ec2', metricName: 'CPUUtilization' }, false],
  ['$or parallel: both groups satisfied', { $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }], detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] } }, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } }, true],
  ['$or parallel: nested group unsatisfied', { $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }], detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] } }, { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } }, false],
  ['$or with AND inside: both fields of the alternative required', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] }, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/S3' }, false],
  ['$or with AND inside: alternative satisfied', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] }, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' }, true],
  ['$or nested in $or', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] }, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 }, true],
  ['$or nested in $or: inner unsatisfied', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] }, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1 }, false],
  ['$or inside detail with operators', cloudwatchOr(), cloudwatch({ state: { value: 'ALARM' }, count: 7 }), true],
  ['$or inside detail with operators, no alternative', cloudwatchOr(), cloudwatch({ state: { value: 'OK' }, count: 2 }), false],
  ['$or alternative with exists:false', { $or: [{ detail: { error: [{ exists: false }] } }, { detail: { retryable: [true] } }] }, d({ error: 'boom', retryable: true }), true],

  // --- complex ----------------------------------------------------------------------------------
  ['complex example (content filtering doc) matches', complex(), ruler, true],
  ['complex example: excluded x-limit', complex(), dd({ 'x-limit': 200 }), false],
  ['complex example: source-ip outside /8', complex(), dd({ 'source-ip': '192.168.0.1' }), false],
];

function cloudwatchOr(): EventPattern {
  return { source: ['aws.cloudwatch'], detail: { $or: [{ state: { value: [{ prefix: 'ALA' }] } }, { count: [{ numeric: ['>', 10] }] }] } };
}

function complex(): EventPattern {
  return {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
}

describe('matches: AWS documentation cases', () => {
  it('has a large table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });

  it.each(cases)('%s', (_description, pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
    // compiled form agrees, and matching does not mutate pattern or event
    const before = JSON.stringify([pattern, event]);
    expect(compilePattern(pattern)(event)).toBe(expected);
    expect(JSON.stringify([pattern, event])).toBe(before);
  });
});

describe('compilePattern', () => {
  it('compiles once and matches many events', () => {
    const fn = compilePattern({ source: ['aws.ec2'], detail: { state: [{ 'anything-but': 'terminated' }] } });
    const states = ['pending', 'running', 'terminated', 'stopped'];
    expect(states.map((state) => fn({ ...ec2, detail: { state } }))).toEqual([true, true, false, true]);
  });

  it('validates while compiling', () => {
    expect(() => compilePattern({ source: 'aws.ec2' })).toThrow(InvalidEventPatternError);
  });

  it('is fast enough for a local bus (100k matches well under a second)', () => {
    const fn = compilePattern(complex());
    const started = performance.now();
    let n = 0;
    for (let i = 0; i < 100_000; i++) if (fn(ruler)) n++;
    expect(n).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('ignores inherited properties of event objects', () => {
    expect(matches({ detail: { constructor: [{ exists: true }] } }, { detail: {} })).toBe(false);
    expect(matches({ detail: { toString: [{ exists: false }] } }, { detail: {} })).toBe(true);
  });
});

type ErrorCase = [description: string, pattern: unknown, path: string, message: RegExp];

const invalid: ErrorCase[] = [
  ['pattern is not an object', ['aws.ec2'], '', /JSON object/],
  ['pattern is null', null, '', /JSON object/],
  ['empty pattern', {}, '', /Empty objects/],
  ['leaf is a string, not an array', { source: 'aws.ec2' }, 'source', /must be an object or an array/],
  ['leaf is a number', { detail: { n: 5 } }, 'detail.n', /must be an object or an array/],
  ['empty leaf array', { source: [] }, 'source', /Empty arrays/],
  ['empty nested object', { detail: {} }, 'detail', /Empty objects/],
  ['array inside a leaf', { a: [['x']] }, 'a[0]', /Match value must be/],
  ['unknown operator', { detail: { status: ['ok', { contains: 'x' }] } }, 'detail.status[1].contains', /Unrecognized match type contains/],
  ['two keys in one match expression', { a: [{ prefix: 'x', suffix: 'y' }] }, 'a[0]', /Only one key/],
  ['empty match expression', { a: [{}] }, 'a[0]', /Only one key/],
  ['numeric value not numeric', { detail: { status: ['ok', { numeric: ['>', 'x'] }] } }, 'detail.status[1].numeric', /Value of > must be numeric/],
  ['numeric not an array', { n: [{ numeric: 5 }] }, 'n[0].numeric', /must be an array/],
  ['numeric unknown operator', { n: [{ numeric: ['!=', 5] }] }, 'n[0].numeric', /Unrecognized numeric range operator/],
  ['numeric odd number of terms', { n: [{ numeric: ['>', 0, '<'] }] }, 'n[0].numeric', /comparison/],
  ['numeric upper bound first', { n: [{ numeric: ['<', 5, '>', 0] }] }, 'n[0].numeric', /Too many elements/],
  ['numeric = with a second term', { n: [{ numeric: ['=', 5, '<', 9] }] }, 'n[0].numeric', /Too many elements/],
  ['numeric bad second operator', { n: [{ numeric: ['>', 0, '>', 5] }] }, 'n[0].numeric', /Bad numeric range operator/],
  ['numeric bottom >= top', { n: [{ numeric: ['>', 5, '<', 5] }] }, 'n[0].numeric', /Bottom must be less than top/],
  ['numeric string number', { n: [{ numeric: ['=', '3'] }] }, 'n[0].numeric', /Value of equals must be numeric/],
  ['cidr without mask', { ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', /one '\/' required/],
  ['cidr bad address', { ip: [{ cidr: '300.0.0.0/8' }] }, 'ip[0].cidr', /Nonstandard IP address/],
  ['cidr IPv4 mask too large', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /mask bits/],
  ['cidr IPv6 mask too large', { ip: [{ cidr: '2001:db8::/129' }] }, 'ip[0].cidr', /mask bits/],
  ['cidr non-integer mask', { ip: [{ cidr: '10.0.0.0/x' }] }, 'ip[0].cidr', /mask bits must be an integer/],
  ['cidr not a string', { ip: [{ cidr: 10 }] }, 'ip[0].cidr', /must be a string/],
  ['prefix not a string', { a: [{ prefix: 5 }] }, 'a[0].prefix', /prefix match pattern must be a string/],
  ['prefix object with another key', { a: [{ prefix: { wildcard: 'x' } }] }, 'a[0].prefix', /Unsupported prefix pattern/],
  ['prefix equals-ignore-case not a string', { a: [{ prefix: { 'equals-ignore-case': 1 } }] }, 'a[0].prefix.equals-ignore-case', /must be a string/],
  ['suffix not a string', { a: [{ suffix: ['x'] }] }, 'a[0].suffix', /suffix match pattern must be a string/],
  ['equals-ignore-case not a string', { a: [{ 'equals-ignore-case': 1 }] }, 'a[0].equals-ignore-case', /must be a string/],
  ['exists not a boolean', { a: [{ exists: 'true' }] }, 'a[0].exists', /either true or false/],
  ['wildcard consecutive stars', { a: [{ wildcard: 'a**b' }] }, 'a[0].wildcard', /Consecutive wildcard characters/],
  ['wildcard invalid escape', { a: [{ wildcard: 'a\\b' }] }, 'a[0].wildcard', /Invalid escape character/],
  ['wildcard trailing backslash', { a: [{ wildcard: 'a\\' }] }, 'a[0].wildcard', /Invalid escape character/],
  ['anything-but null', { a: [{ 'anything-but': null }] }, 'a[0].anything-but', /single string\/number/],
  ['anything-but boolean', { a: [{ 'anything-but': true }] }, 'a[0].anything-but', /single string\/number/],
  ['anything-but list with null', { a: [{ 'anything-but': ['x', null] }] }, 'a[0].anything-but[1]', /Inside anything but list/],
  ['anything-but empty list', { a: [{ 'anything-but': [] }] }, 'a[0].anything-but', /Empty arrays/],
  ['anything-but numeric is unsupported', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'a[0].anything-but.numeric', /Unsupported anything-but pattern: numeric/],
  ['anything-but empty prefix', { a: [{ 'anything-but': { prefix: '' } }] }, 'a[0].anything-but.prefix', /Null prefix\/suffix/],
  ['anything-but prefix number', { a: [{ 'anything-but': { prefix: 1 } }] }, 'a[0].anything-but.prefix', /not supported/],
  ['anything-but wildcard list with bad member', { a: [{ 'anything-but': { wildcard: ['*ok', 'x**'] } }] }, 'a[0].anything-but.wildcard[1]', /Consecutive wildcard/],
  ['$or not an array', { $or: { a: ['x'] } }, '$or', /\$or must be an array/],
  ['$or with one alternative', { $or: [{ a: ['x'] }] }, '$or', /at least 2/],
  ['$or member not an object', { $or: [{ a: ['x'] }, ['b']] }, '$or[1]', /must be JSON objects/],
  ['$or member invalid deep inside detail', { detail: { $or: [{ a: ['x'] }, { b: 'y' }] } }, 'detail.$or[1].b', /must be an object or an array/],
  ['$or member empty object', { $or: [{ a: ['x'] }, {}] }, '$or[1]', /Empty objects/],
];

describe('validatePattern', () => {
  it.each(invalid)('rejects: %s', (_description, pattern, path, message) => {
    let error: unknown;
    try {
      validatePattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect(error).toBeInstanceOf(Error);
    const err = error as InvalidEventPatternError;
    expect(err.name).toBe('InvalidEventPatternError');
    expect(err.path).toBe(path);
    expect(err.message).toMatch(message);
  });

  it('accepts every documented pattern used above', () => {
    for (const [, pattern] of cases) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it('accepts numbers, booleans, null and "" as exact values', () => {
    expect(() => validatePattern({ a: [1, -2.5, true, false, null, ''] })).not.toThrow();
  });

  it('narrows unknown to EventPattern', () => {
    const raw: unknown = JSON.parse('{"source":["aws.ec2"]}');
    validatePattern(raw);
    expect(matches(raw, ec2)).toBe(true);
  });
});
