import { Provider } from '@nestjs/common';
import { ServerSecretRepository, UserRepository } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { LoginThrottle } from '../login-throttle';
import { ScramSha256 } from '../scram/scram-method';
import { ScramUsers } from '../scram/scram-users';
import { ENHANCED_AUTH, EnhancedAuthMethod, EnhancedAuthMethods } from './enhanced-auth';

/** The methods of AUTH_METHODS; null when none is offered, and every Authentication Method gets 0x8C. */
export const enhancedAuthProvider: Provider = {
  provide: ENHANCED_AUTH,
  useFactory: async (config: BrokerConfig, users: UserRepository, secrets: ServerSecretRepository, throttle: LoginThrottle): Promise<EnhancedAuthMethods | null> => {
    if (config.authMethods.length === 0) return null;
    const methods: EnhancedAuthMethod[] = [];
    for (const name of config.authMethods) {
      switch (name) {
        case 'SCRAM-SHA-256':
          methods.push(new ScramSha256(await ScramUsers.load(config.users, users, secrets, config.scramIterations), throttle.enabled ? throttle : null));
          break;
        default:
          throw new Error(`AUTH_METHODS: ${name satisfies never} has no implementation`);
      }
    }
    return new EnhancedAuthMethods(methods);
  },
  inject: [BROKER_CONFIG, UserRepository, ServerSecretRepository, LoginThrottle],
};
