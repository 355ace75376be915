import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { AclSyntaxError, TopicAcl, filterCovers, filtersIntersect } from './topic-acl';

const ACL = TopicAcl.parse(`
# anonymous clients
topic read public/#

user alice
topic readwrite sensors/#
topic deny sensors/secret
topic write commands/+/set

pattern readwrite clients/%c/#
pattern read users/%u/inbox
`);

describe('TopicAcl (Mosquitto acl_file format)', () => {
  it('gives anonymous clients the rules before the first user line', () => {
    assert.equal(ACL.canSubscribe(undefined, 'c1', 'public/news'), true);
    assert.equal(ACL.canPublish(undefined, 'c1', 'public/news'), false, 'read only');
    assert.equal(ACL.canSubscribe(undefined, 'c1', 'sensors/#'), false);
  });

  it('gives a user its own rules, deny winning over allow', () => {
    assert.equal(ACL.canPublish('alice', 'a', 'sensors/t1'), true);
    assert.equal(ACL.canPublish('alice', 'a', 'sensors/secret'), false);
    assert.equal(ACL.canSubscribe('alice', 'a', 'sensors/secret'), false, 'wholly denied');
    assert.equal(ACL.canSubscribe('alice', 'a', 'sensors/+'), true, 'partly allowed: filtered on delivery');
    assert.equal(ACL.canRead('alice', 'a', 'sensors/t1'), true);
    assert.equal(ACL.canRead('alice', 'a', 'sensors/secret'), false);
    assert.equal(ACL.canSubscribe('alice', 'a', 'sensors/t1'), true);
    assert.equal(ACL.canSubscribe('alice', 'a', '#'), true, 'some of # is readable');
    assert.equal(ACL.canPublish('alice', 'a', 'commands/lamp/set'), true);
    assert.equal(ACL.canSubscribe('alice', 'a', 'commands/lamp/set'), false, 'write only');
    assert.equal(ACL.canSubscribe('alice', 'a', 'public/news'), false, 'anonymous rules are not a user\'s');
  });

  it('applies patterns to everyone with %c and %u substituted', () => {
    assert.equal(ACL.canPublish('bob', 'dev-7', 'clients/dev-7/status'), true);
    assert.equal(ACL.canPublish('bob', 'dev-7', 'clients/dev-8/status'), false);
    assert.equal(ACL.canSubscribe('bob', 'x', 'users/bob/inbox'), true);
    assert.equal(ACL.canSubscribe('bob', 'x', 'users/carol/inbox'), false);
    assert.equal(ACL.canSubscribe(undefined, 'x', 'users//inbox'), false, '%u patterns skip anonymous clients');
  });

  it('never lets a client identifier or user name with +, # or / (or empty) widen a pattern [CVE-2017-7650]', () => {
    const acl = TopicAcl.parse('pattern readwrite clients/%c/#\npattern read users/%u/inbox\npattern deny clients/%c/locked\nuser carol\ntopic readwrite #');
    for (const id of ['+', '#', '+/+', 'a/b', '']) {
      assert.equal(acl.canPublish('bob', id, `clients/${id}/x`), false, `client id "${id}"`);
      assert.equal(acl.canSubscribe('bob', id, 'clients/#'), false, `client id "${id}"`);
    }
    for (const name of ['+', '#', 'a/b', '']) assert.equal(acl.canRead(name, 'c', `users/${name}/inbox`), false, `user name "${name}"`);
    assert.equal(acl.canRead('bob', 'c', 'users/bob/inbox'), true);
    // A deny pattern covers more, never less: everything from the level the value would stand in.
    assert.equal(acl.canPublish('carol', 'x', 'clients/y/locked'), true);
    assert.equal(acl.canPublish('carol', 'x', 'clients/x/locked'), false);
    assert.equal(acl.canPublish('carol', 'a/b', 'clients/a/b/locked'), false);
    assert.equal(acl.canPublish('carol', 'a/b', 'clients/q'), false);
    assert.equal(acl.canPublish('carol', 'a/b', 'other/q'), true);
  });

  it('refuses a rule that is not a topic filter, which would match more than it says', () => {
    for (const rule of ['topic read a/#/b', 'topic read a/b#', 'topic read a+/b', 'pattern read x/%c#', 'pattern read #/%u']) {
      assert.throws(() => TopicAcl.parse(rule), (e: unknown) => e instanceof AclSyntaxError && /not a topic filter/.test(e.message), rule);
    }
    assert.ok(TopicAcl.parse('pattern read devices/dev-%c/+/#'));
  });

  it('reports the line of a syntax error', () => {
    assert.throws(() => TopicAcl.parse('topic read a\nfrobnicate b'), (e: unknown) => e instanceof AclSyntaxError && /line 2/.test(e.message));
    assert.throws(() => TopicAcl.parse('user'), /needs a name/);
  });
});

describe('filter relations', () => {
  it('filterCovers: every topic of the inner filter is matched by the outer', () => {
    assert.equal(filterCovers('a/#', 'a/+/c'), true);
    assert.equal(filterCovers('a/#', 'a'), true);
    assert.equal(filterCovers('a/+', 'a/b'), true);
    assert.equal(filterCovers('a/+', 'a/+'), true);
    assert.equal(filterCovers('a/+', 'a/#'), false);
    assert.equal(filterCovers('a/b', 'a/+'), false);
    assert.equal(filterCovers('a/+/c', 'a/b'), false);
  });

  it('filtersIntersect: some topic is matched by both', () => {
    assert.equal(filtersIntersect('a/secret', 'a/+'), true);
    assert.equal(filtersIntersect('a/secret', 'a/#'), true);
    assert.equal(filtersIntersect('a/#', 'a'), true);
    assert.equal(filtersIntersect('a/b', 'a/c'), false);
    assert.equal(filtersIntersect('a/b', 'a/b/c'), false);
    assert.equal(filtersIntersect('+/x', 'y/+'), true);
  });
});
