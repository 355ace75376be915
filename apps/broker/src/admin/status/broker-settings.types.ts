import { Field, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

@ObjectType('Setting', { description: 'A configuration variable as the broker runs with it; a secret is only said to be set, never shown' })
export class BrokerSetting {
  @Field({ description: 'The environment variable, e.g. MAX_PACKET_SIZE' })
  @ApiProperty({ description: 'The environment variable, e.g. MAX_PACKET_SIZE' })
  name!: string;

  @Field({ description: 'Listeners, Admin API, Authentication, Storage, Protocol limits...' })
  @ApiProperty({ description: 'Listeners, Admin API, Authentication, Storage, Protocol limits...' })
  group!: string;

  @Field(() => String, { nullable: true, description: 'The value in effect; null: unset, or a secret. DATABASE_URL has its password masked, AUTH_USERS only its user names' })
  @ApiProperty({ type: String, nullable: true, description: 'The value in effect; null: unset, or a secret. DATABASE_URL has its password masked, AUTH_USERS only its user names' })
  value!: string | null;

  @Field({ description: 'Whether the value is the default (for a secret: whether it was left unset)' })
  @ApiProperty({ description: 'Whether the value is the default (for a secret: whether it was left unset)' })
  isDefault!: boolean;

  @Field({ description: 'A secret (ADMIN_JWT_SECRET, ADMIN_PASSWORD): its value is never served' })
  @ApiProperty({ description: 'A secret (ADMIN_JWT_SECRET, ADMIN_PASSWORD): its value is never served' })
  secret!: boolean;
}
