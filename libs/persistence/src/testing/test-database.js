"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.databaseKinds = databaseKinds;
exports.createTestDatabase = createTestDatabase;
const node_crypto_1 = require("node:crypto");
const pg_1 = require("pg");
/** PostgreSQL when TEST_DATABASE_URL is set (as CI sets it), and the embedded database always. */
function databaseKinds() {
    return process.env.TEST_DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}
/**
 * A database of its own for one test (or benchmark run): a fresh PostgreSQL database created through
 * `adminUrl`, or an in-memory PGlite.
 */
async function createTestDatabase(kind, adminUrl = process.env.TEST_DATABASE_URL, prefix = 'nestmq_test') {
    if (kind === 'pglite')
        return { options: { dataDir: 'memory://' }, drop: async () => undefined };
    if (!adminUrl)
        throw new Error('TEST_DATABASE_URL is not set');
    const name = `${prefix}_${(0, node_crypto_1.randomBytes)(6).toString('hex')}`;
    await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
        options: { url: url.toString(), dataDir: 'unused' },
        drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
}
async function withAdmin(url, action) {
    const client = new pg_1.Client({ connectionString: url });
    await client.connect();
    try {
        return await action(client);
    }
    finally {
        await client.end();
    }
}
//# sourceMappingURL=test-database.js.map