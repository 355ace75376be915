import { isValidTopicFilter, isValidTopicName } from '@nestmq/mqtt-protocol';
import { badInput } from './admin-error';

/** The longest topic or filter MQTT carries: a UTF-8 string of at most 65,535 bytes. */
const MAX_TOPIC_BYTES = 65_535;

/**
 * A topic filter an admin gave, held to what a client's SUBSCRIBE is held to: valid, at most 65,535
 * bytes and at most MAX_TOPIC_LEVELS levels, so that no query walks or matches without bound.
 */
export function checkTopicFilter(field: string, filter: string, maxLevels: number): string {
  if (Buffer.byteLength(filter) > MAX_TOPIC_BYTES) throw badInput(`${field}: longer than ${MAX_TOPIC_BYTES} bytes`);
  if (!isValidTopicFilter(filter) || filter.startsWith('$share/')) throw badInput(`${field}: "${filter.slice(0, 200)}" is not a topic filter`);
  if (filter.split('/').length > maxLevels) throw badInput(`${field}: more than ${maxLevels} levels (MAX_TOPIC_LEVELS)`);
  return filter;
}

/** A topic name an admin gave, held to what a client's PUBLISH is held to. */
export function checkTopicName(field: string, topic: string, maxLevels: number): string {
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) throw badInput(`${field}: longer than ${MAX_TOPIC_BYTES} bytes`);
  if (!isValidTopicName(topic)) throw badInput(`${field}: "${topic.slice(0, 200)}" is not a topic name (no + or #, not empty)`);
  if (topic.split('/').length > maxLevels) throw badInput(`${field}: more than ${maxLevels} levels (MAX_TOPIC_LEVELS)`);
  return topic;
}
