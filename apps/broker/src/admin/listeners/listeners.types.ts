import { ArgsType, Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType({ description: 'An MQTT listener: TCP, TLS or WebSocket' })
export class ListenerInfo {
  @Field({ description: 'kind:port, e.g. "mqtt:1883": how setListenerEnabled names it' })
  @ApiProperty({ description: 'kind:port, e.g. "mqtt:1883": how a listener is named' })
  id!: string;

  @Field({ description: 'mqtt, mqtts or ws' })
  @ApiProperty({ description: 'mqtt, mqtts or ws' })
  kind!: string;

  @Field()
  @ApiProperty()
  host!: string;

  @Field(() => Int)
  @ApiProperty({ type: 'integer' })
  port!: number;

  @Field({ description: 'Where clients connect, e.g. mqtt://0.0.0.0:1883 or ws://0.0.0.0:8083/mqtt' })
  @ApiProperty({ description: 'Where clients connect, e.g. mqtt://0.0.0.0:1883 or ws://0.0.0.0:8083/mqtt' })
  url!: string;

  @Field({ description: 'Accepts new connections; false after setListenerEnabled(enabled: false)' })
  @ApiProperty({ description: 'Accepts new connections' })
  enabled!: boolean;

  @Field(() => Int, { description: 'Connections it accepted that are open now, enabled or not' })
  @ApiProperty({ type: 'integer', description: 'Connections it accepted that are open now, enabled or not' })
  connections!: number;
}

/** The body of PATCH /api/v1/listeners/{id} (GraphQL takes the same as arguments). */
@InputType()
export class ListenerChangeInput {
  @Field()
  @ApiProperty({ description: 'false: stop accepting new connections; true: listen on the same port again' })
  enabled!: boolean;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'When disabling: also disconnect the clients it accepted (MQTT 5.0: DISCONNECT 0x8B)' })
  disconnectClients?: boolean | null;
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
