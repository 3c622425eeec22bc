module.exports = async function globalTeardown() {
  const containers = globalThis.__bdbazarServers || [];
  globalThis.__bdbazarServers = undefined;
  await Promise.all(containers.map((c) => c.stop()));
};
