import { loadBrokerConfig } from './broker-config';

/**
 * Every environment variable the broker reads, found by running loadBrokerConfig on an environment that
 * records each name asked for. The README's configuration table, `.env.example` and docker-compose.yml
 * are checked against this list, so none of them can name a variable the broker ignores or leave one out.
 */
export function brokerVariables(): string[] {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  loadBrokerConfig(env);
  return [...read].sort();
}
