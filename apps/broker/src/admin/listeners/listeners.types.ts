import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An MQTT listener: TCP, TLS or WebSocket' })
export class ListenerInfo {
  @Field({ description: 'kind:port, e.g. "mqtt:1883": how setListenerEnabled names it' })
  id!: string;

  @Field({ description: 'mqtt, mqtts or ws' })
  kind!: string;

  @Field()
  host!: string;

  @Field(() => Int)
  port!: number;

  @Field({ description: 'Where clients connect, e.g. mqtt://0.0.0.0:1883 or ws://0.0.0.0:8083/mqtt' })
  url!: string;

  @Field({ description: 'Accepts new connections; false after setListenerEnabled(enabled: false)' })
  enabled!: boolean;

  @Field(() => Int, { description: 'Connections it accepted that are open now, enabled or not' })
  connections!: number;
}

@ArgsType()
export class SetListenerEnabledArgs {
  @Field({ description: 'The listener\'s id, kind:port (see brokerStatus.listeners)' })
  listener!: string;

  @Field()
  enabled!: boolean;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'When disabling: also disconnect the clients it accepted (MQTT 5.0: DISCONNECT 0x8B Server shutting down)',
  })
  disconnectClients?: boolean | null;
}
