// One embedded PostgreSQL server for the whole run, where database suites create their databases; its URL
// reaches the test workers through the environment they inherit.
const { join } = require('node:path');

module.exports = async function startEmbeddedTestServer() {
  const { startEmbeddedTestServer } = require(join(__dirname, '..', 'libs', 'persistence', 'dist', 'testing', 'test-database.js'));
  const server = await startEmbeddedTestServer();
  process.env.TEST_EMBEDDED_URL = server.url;
  globalThis.__embeddedTestServer = server;
};
