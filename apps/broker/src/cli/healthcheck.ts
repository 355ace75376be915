// The Docker image's HEALTHCHECK: exits 0 when GET /health on the broker's HTTP_PORT answers 200 within
// 3 s, 1 otherwise. It reads the configuration from the same environment as the broker it checks.
import { loadBrokerConfig } from '../config/broker-config';

async function main(): Promise<number> {
  const config = loadBrokerConfig();
  if (config.httpPort === null) {
    console.error('healthcheck: HTTP_PORT=0, the broker serves no /health');
    return 1;
  }
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const response = await fetch(`http://${host}:${config.httpPort}/health`, { signal: AbortSignal.timeout(3000) });
  if (response.status !== 200) console.error(`healthcheck: /health answered ${response.status}`);
  return response.status === 200 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`healthcheck: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
