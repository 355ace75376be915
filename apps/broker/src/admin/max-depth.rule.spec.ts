import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { maxDepthRule, maxFieldsRule } from './max-depth.rule';

// Types that lead back to each other, as a client and its session will.
const schema = buildSchema(`
  type Client { id: String!, session: Session! }
  type Session { id: String!, client: Client! }
  type Query { client: Client }
`);

/** A query whose fields nest `levels` deep: client, then session and client in turn, then id. */
const nested = (levels: number): string => {
  let body = 'id';
  for (let i = 2; i < levels; i++) body = `${i % 2 ? 'client' : 'session'} { id ${body} }`;
  return `{ client { ${body} } }`;
};

describe('maxDepthRule', () => {
  it('lets a query as deep as the limit through, and refuses one level more with BAD_USER_INPUT', () => {
    assert.deepEqual(validate(schema, parse(nested(4)), [maxDepthRule(5)]), []);
    assert.deepEqual(validate(schema, parse(nested(5)), [maxDepthRule(5)]), []);
    const [error] = validate(schema, parse(nested(6)), [maxDepthRule(5)]);
    assert.match(error.message, /nests fields 6 deep; at most 5/);
    assert.equal(error.extensions.code, 'BAD_USER_INPUT');
  });

  it('follows fragments and inline fragments, and is not fooled by a fragment cycle', () => {
    const viaFragments = `{ client { ...c } } fragment c on Client { session { ... on Session { client { session { id } } } } }`;
    assert.match(validate(schema, parse(viaFragments), [maxDepthRule(4)])[0].message, /5 deep/);
    const cycle = `{ client { ...a } } fragment a on Client { session { ...b } } fragment b on Session { client { ...a } }`;
    const errors = validate(schema, parse(cycle), [...specifiedRules, maxDepthRule(12)]);
    assert.ok(errors.some((e) => /Cannot spread fragment "a" within itself/.test(e.message)), errors.map((e) => e.message).join('; '));
  });
});

describe('maxFieldsRule', () => {
  it('refuses many aliases of one field at the top, and too many fields in all, fragments counted where spread', () => {
    const aliases = (n: number): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: client { id }`).join(' ')} }`;
    assert.deepEqual(validate(schema, parse(aliases(20)), [maxFieldsRule(1000, 20)]), []);
    const [top] = validate(schema, parse(aliases(10_000)), [maxFieldsRule(1000, 20)]);
    assert.match(top.message, /10000 fields at its top; at most 20/);
    assert.equal(top.extensions.code, 'BAD_USER_INPUT');
    const fragment = `{ client { ...f } } fragment f on Client { ${Array.from({ length: 30 }, (_, i) => `i${i}: id`).join(' ')} session { ...g } } fragment g on Session { ${Array.from({ length: 30 }, (_, i) => `j${i}: id`).join(' ')} }`;
    assert.deepEqual(validate(schema, parse(fragment), [maxFieldsRule(100, 20)]), []);
    assert.match(validate(schema, parse(fragment), [maxFieldsRule(50, 20)])[0].message, /more than 50 fields/);
  });
});
