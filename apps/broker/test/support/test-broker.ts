import { BrokerConfig, loadBrokerConfig } from '../../src/config/broker-config';
import { RunningBroker, startBroker } from '../../src/broker-app';

export interface TestBroker extends RunningBroker {
  config: BrokerConfig;
  url: string;
  mqttPort: number;
}

/** A broker in this process on an ephemeral port of 127.0.0.1, anonymous access on, quiet logs. */
export async function startTestBroker(overrides: Partial<BrokerConfig> = {}, env: Record<string, string> = {}): Promise<TestBroker> {
  const config: BrokerConfig = {
    ...loadBrokerConfig({ ALLOW_ANONYMOUS: 'true', LOG_LEVEL: 'error', SYS_INTERVAL: '0', ...env }),
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    mqttsPort: null,
    ...overrides,
  };
  const broker = await startBroker(config);
  const mqttPort = config.mqttPort === null ? 0 : broker.port('mqtt');
  return { ...broker, config, mqttPort, url: `mqtt://127.0.0.1:${mqttPort}` };
}
