module.exports = async function stopEmbeddedTestServer() {
  await globalThis.__embeddedTestServer?.close();
};
