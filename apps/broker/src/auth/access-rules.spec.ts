import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { AccessRule, OrderedAccessRules } from './access-rules';
import { TopicAccess } from './topic-access';
import { TopicAcl } from './topic-acl';

const rule = (r: Partial<AccessRule> & Pick<AccessRule, 'permission' | 'topic'>): AccessRule => ({ action: 'all', username: null, clientId: null, anonymous: false, role: null, ...r });

describe('OrderedAccessRules: the first rule that applies decides', () => {
  const rules = new OrderedAccessRules([
    rule({ permission: 'allow', action: 'publish', topic: 'alice/#', username: 'alice' }),
    rule({ permission: 'deny', topic: '#', username: 'alice' }),
    rule({ permission: 'deny', action: 'publish', topic: 'sensors/secret' }),
    rule({ permission: 'allow', topic: 'sensors/#' }),
    rule({ permission: 'allow', action: 'subscribe', topic: 'public/#', anonymous: true }),
    rule({ permission: 'allow', action: 'publish', topic: 'devices/%c/state' }),
    rule({ permission: 'deny', topic: 'users/%u/private' }),
    rule({ permission: 'allow', topic: 'only/this', clientId: 'c-7' }),
  ]);

  it('reads a user\'s rules and the general ones in their order', () => {
    assert.equal(rules.publish('alice', 'a', 'alice/x'), true, 'her allow comes first');
    assert.equal(rules.publish('alice', 'a', 'sensors/t'), false, 'her deny # comes before the general allow');
    assert.equal(rules.publish('bob', 'b', 'sensors/t'), true);
    assert.equal(rules.publish('bob', 'b', 'sensors/secret'), false, 'the general deny comes before the allow');
    assert.equal(rules.read('bob', 'b', 'sensors/secret'), true, 'that deny is for publishing only');
  });

  it('answers undefined where no rule applies, so the caller falls back', () => {
    assert.equal(rules.publish('bob', 'b', 'elsewhere'), undefined);
    assert.equal(rules.read('bob', 'b', 'public/news'), undefined, 'the public rule is for anonymous clients');
    assert.equal(rules.read(undefined, 'b', 'public/news'), true);
  });

  it('substitutes %c and %u, and never lets a value that cannot stand in a level widen an allow', () => {
    assert.equal(rules.publish('bob', 'dev1', 'devices/dev1/state'), true);
    assert.equal(rules.publish('bob', 'dev1', 'devices/dev2/state'), undefined);
    assert.equal(rules.publish('bob', '+', 'devices/x/state'), undefined, '"+" as a client id matches nothing');
    assert.equal(rules.publish('bob', 'a/b', 'devices/a/b/state'), undefined);
  });

  it('lets a deny whose value cannot stand in a level deny from that level on', () => {
    assert.equal(rules.read('carol', 'c', 'users/carol/private'), false);
    assert.equal(rules.read('carol', 'c', 'users/dave/private'), undefined);
    assert.equal(rules.read('a/b', 'c', 'users/anything/else'), false, 'users/# is denied to "a/b"');
  });

  it('applies a client id rule to that client only', () => {
    assert.equal(rules.publish('bob', 'c-7', 'only/this'), true);
    assert.equal(rules.publish('bob', 'c-8', 'only/this'), undefined);
  });

  it('applies a role rule only to clients given that role, in its place in the order', () => {
    const byRole = new OrderedAccessRules([
      rule({ permission: 'allow', action: 'publish', topic: 'plant/#', role: 'operators' }),
      rule({ permission: 'allow', action: 'subscribe', topic: 'plant/+/alarm', role: 'auditors', username: 'eve' }),
      rule({ permission: 'deny', topic: 'plant/#' }),
    ]);
    assert.equal(byRole.publish('olga', 'o', 'plant/line1/speed', ['operators']), true);
    assert.equal(byRole.publish('olga', 'o', 'plant/line1/speed', ['viewers', 'operators']), true, 'one of several roles is enough');
    assert.equal(byRole.publish('bob', 'b', 'plant/line1/speed', ['viewers']), false, 'another role: the general deny decides');
    assert.equal(byRole.publish('bob', 'b', 'plant/line1/speed'), false, 'no roles at all');
    assert.equal(byRole.publish('operators', 'b', 'plant/line1/speed'), false, 'a user named like the role is not given it');
    assert.equal(byRole.read('olga', 'o', 'plant/line1/speed', ['operators']), false, 'the role rule is for publishing only');
    assert.equal(byRole.subscribe('eve', 'e', 'plant/+/alarm', ['auditors']), true, 'user and role both match');
    assert.equal(byRole.subscribe('mallory', 'm', 'plant/+/alarm', ['auditors']), false, 'the role without the user named is not enough');
    assert.equal(byRole.subscribe('eve', 'e', 'plant/+/alarm'), false, 'the user without the role is not enough');
  });

  it('allows a subscription some allow can match and refuses one a deny covers, whichever comes first', () => {
    const subs = new OrderedAccessRules([
      rule({ permission: 'deny', action: 'subscribe', topic: 'a/secret' }),
      rule({ permission: 'allow', action: 'subscribe', topic: 'a/#' }),
      rule({ permission: 'deny', action: 'subscribe', topic: 'b/#' }),
      rule({ permission: 'allow', action: 'subscribe', topic: 'b/open' }),
    ]);
    assert.equal(subs.subscribe('u', 'c', 'a/#'), true, 'partly denied: filtered on delivery');
    assert.equal(subs.read('u', 'c', 'a/secret'), false);
    assert.equal(subs.subscribe('u', 'c', 'a/secret'), false, 'wholly denied');
    assert.equal(subs.subscribe('u', 'c', 'b/open'), false, 'b/# covers it and comes first');
    assert.equal(subs.subscribe('u', 'c', '#'), true, 'a/# can match some of its topics');
    assert.equal(subs.subscribe('u', 'c', 'c/+'), undefined);
  });
});

describe('TopicAccess: database rules, then the ACL file, then ACL_NO_MATCH', () => {
  const file = TopicAcl.parse('user alice\ntopic readwrite sensors/#\n');

  it('is inactive with no rule, no file and no-match allow, so the broker makes no checks', () => {
    const access = new TopicAccess(null, [], 'allow');
    assert.equal(access.active, false);
    assert.equal(access.canPublish('x', 'c', 'any'), true);
    assert.equal(new TopicAccess(null, [], 'deny').active, true);
    assert.equal(new TopicAccess(file, [], 'allow').active, true);
  });

  it('lets a database rule decide before the file, and the file decide what no rule speaks of', () => {
    const access = new TopicAccess(file, [rule({ permission: 'deny', action: 'publish', topic: 'sensors/locked' }), rule({ permission: 'allow', topic: 'extra/#', username: 'alice' })], 'allow');
    assert.equal(access.canPublish('alice', 'c', 'sensors/locked'), false, 'the rule denies what the file allows');
    assert.equal(access.canPublish('alice', 'c', 'extra/x'), true, 'the rule allows what the file does not');
    assert.equal(access.canPublish('alice', 'c', 'sensors/t'), true, 'the file decides');
    assert.equal(access.canPublish('alice', 'c', 'other'), false, 'the file refuses what it does not allow, whatever ACL_NO_MATCH says');
  });

  it('falls back to ACL_NO_MATCH without a file', () => {
    const rules = [rule({ permission: 'allow', topic: 'open/#' })];
    assert.equal(new TopicAccess(null, rules, 'deny').canPublish('u', 'c', 'closed'), false);
    assert.equal(new TopicAccess(null, rules, 'allow').canPublish('u', 'c', 'closed'), true);
    assert.equal(new TopicAccess(null, rules, 'deny').canSubscribe('u', 'c', 'open/+'), true);
  });

  it('tells its listeners when the rules are replaced, and decides by the new ones', () => {
    const access = new TopicAccess(null, [], 'allow');
    let told = 0;
    access.onChange(() => told++);
    access.replaceRules([rule({ permission: 'deny', topic: 'x' })]);
    assert.equal(told, 1);
    assert.equal(access.active, true);
    assert.equal(access.canPublish('u', 'c', 'x'), false);
    access.replaceRules([]);
    assert.equal(access.active, false);
  });
});
