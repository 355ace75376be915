import { Module } from '@nestjs/common';
import { SessionEventRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { DATA_SOURCE } from '../database/database.module';
import { SessionEventRecorder } from './session-event-recorder';
import { SESSION_EVENT_RECORDER } from './session-event-recorder.token';
import { SessionEventRetention } from './session-event-retention';

export { SESSION_EVENT_RECORDER };

/**
 * The session event log. The recorder is resolved once into the BrokerContext and the SessionRegistry,
 * so connections and sessions call it as a plain object; nothing looks it up per event.
 */
@Module({
  providers: [
    { provide: SessionEventRepository, useFactory: (ds: DataSource) => new SessionEventRepository(ds), inject: [DATA_SOURCE] },
    {
      provide: SESSION_EVENT_RECORDER,
      useFactory: (config: BrokerConfig, repository: SessionEventRepository) =>
        config.sessionEvents ? new SessionEventRecorder(repository, config.sessionEventsBuffer, 100, config.sessionEventsBufferBytes) : null,
      inject: [BROKER_CONFIG, SessionEventRepository],
    },
    SessionEventRetention,
  ],
  exports: [SESSION_EVENT_RECORDER, SessionEventRepository],
})
export class SessionEventsModule {}
