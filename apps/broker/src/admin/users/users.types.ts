import { Field, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType('MqttUser', { description: 'A user of the broker: MQTT clients sign in as users; the admin and viewer roles open the admin API' })
export class MqttUserType {
  @Field() username!: string;
  @Field(() => [String]) roles!: string[];
  @Field() enabled!: boolean;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@InputType()
export class CreateUserInput {
  @Field() username!: string;

  @Field({ description: 'At most 72 bytes (bcrypt reads no more)' })
  password!: string;

  @Field(() => [String], { nullable: true, description: 'e.g. admin, viewer, or names your ACL rules use' })
  roles?: string[];

  @Field({ nullable: true, defaultValue: true })
  enabled?: boolean;
}

@InputType({ description: 'What to change; what is left out stays as it is' })
export class UpdateUserInput {
  @Field({ nullable: true })
  password?: string;

  @Field(() => [String], { nullable: true })
  roles?: string[];

  @Field({ nullable: true })
  enabled?: boolean;
}
