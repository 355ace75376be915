import { Module } from '@nestjs/common';
import { AclRuleRepository } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { TopicAccess } from './topic-access';

/** The topic access policy, with the rules stored in the database read once at start-up. */
@Module({
  providers: [
    {
      provide: TopicAccess,
      useFactory: async (config: BrokerConfig, rules: AclRuleRepository) => new TopicAccess(config.acl, await rules.list(), config.aclNoMatch),
      inject: [BROKER_CONFIG, AclRuleRepository],
    },
  ],
  exports: [TopicAccess],
})
export class AccessModule {}
