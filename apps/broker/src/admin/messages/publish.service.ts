import { Inject, Injectable } from '@nestjs/common';
import { isSysTopic } from '@nestmq/mqtt-protocol';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { HISTORY_RECORDER } from '../../history/history.module';
import { HistoryRecorder } from '../../history/history-recorder';
import { Message } from '../../routing/message';
import { Router } from '../../routing/router';
import { BrokerContext } from '../../transport/broker-context';
import { badInput } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { checkTopicName } from '../topic-input';
import { PayloadEncoding, PublishInput } from './publish.types';

/**
 * Publishes a message as an admin, through the normal routing: retained store, subscriptions, shared
 * groups, each receiver's ACL, offline sessions' queues, the live feeds and the message history under the
 * admin's name.
 */
@Injectable()
export class PublishService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly router: Router,
    @Inject(HISTORY_RECORDER) private readonly history: HistoryRecorder | null,
    private readonly audit: AuditService,
    private readonly broker: BrokerContext,
  ) {}

  async publish(actor: string, input: PublishInput): Promise<number> {
    const { topic, qos, retain } = input;
    checkTopicName('topic', topic, this.config.maxTopicLevels);
    if (isSysTopic(topic)) throw badInput('topic: $SYS topics are the broker\'s own');
    if (!Number.isInteger(qos) || qos < 0 || qos > this.config.maximumQoS) throw badInput(`qos: ${qos}; 0 to ${this.config.maximumQoS} are allowed`);
    if (retain && !this.config.retainAvailable) throw badInput('retain: retained messages are off (RETAIN_AVAILABLE=false)');
    if (input.encoding === PayloadEncoding.base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(input.payload)) throw badInput('payload: not base64');
    const payload = Buffer.from(input.payload, input.encoding === PayloadEncoding.base64 ? 'base64' : 'utf8');
    if (payload.length > this.config.maxPacketSize) throw badInput(`payload: ${payload.length} bytes; at most ${this.config.maxPacketSize} (MAX_PACKET_SIZE)`);
    const now = Date.now();
    // No publishing client: the empty publisher id matches no subscriber's No Local.
    const message = new Message(topic, Buffer.from(topic), payload, qos as 0 | 1 | 2, retain, null, 0, '', now);
    this.history?.record(message, actor);
    const deliveries = this.router.publish(message);
    // The admin's message shows in the live feeds as a client's does, under the admin's name.
    this.broker.publishWatcher?.published(message, actor);
    await this.audit.record({ actor, action: 'publish', target: topic, details: { qos, retain, bytes: payload.length, deliveries } });
    return deliveries;
  }
}
