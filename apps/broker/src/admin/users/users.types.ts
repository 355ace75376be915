import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';

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

@ObjectType('UserExport', { description: 'A user as moved between installations: with its bcrypt hash, never a password' })
export class UserExportType {
  @Field() username!: string;
  @Field(() => [String]) roles!: string[];
  @Field() enabled!: boolean;
  @Field({ description: 'bcrypt' }) passwordHash!: string;
}

@InputType({ description: 'A user to import: with the bcrypt hash of an export, or a new password' })
export class UserImportInput {
  @Field() username!: string;
  @Field(() => [String], { defaultValue: [] }) roles!: string[];
  @Field({ defaultValue: true }) enabled!: boolean;
  @Field({ nullable: true }) passwordHash?: string;
  @Field({ nullable: true }) password?: string;
}

@ObjectType('UserImportResult')
export class UserImportResultType {
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
}
