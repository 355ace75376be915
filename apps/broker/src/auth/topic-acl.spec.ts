import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
