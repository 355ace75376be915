import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { printAdminSchema } from './admin-schema';

describe('schema.gql', () => {
  it('is the schema the resolvers make: committed as `npm run build` prints it', async () => {
    // From apps/broker/dist/src/admin to apps/broker.
    const committed = readFileSync(join(__dirname, '..', '..', '..', 'schema.gql'), 'utf8');
    assert.equal(committed, await printAdminSchema(), 'run npm run build and commit apps/broker/schema.gql');
  });
});
