import { Module } from '@nestjs/common';
import { AclRuleRepository } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { TopicAccess } from './topic-access';

/**
 * The topic access policy, with the rules stored in the database read once at start-up. With an
 * authenticator in AUTH_CHAIN that can give an identity its own topic lists, checks are always on.
 */
@Module({
  providers: [
    {
      provide: TopicAccess,
      useFactory: async (config: BrokerConfig, rules: AclRuleRepository) => new TopicAccess(config.acl, await rules.list(), config.aclNoMatch, config.authChain.some((name) => name !== 'local')),
      inject: [BROKER_CONFIG, AclRuleRepository],
    },
  ],
  exports: [TopicAccess],
})
export class AccessModule {}
