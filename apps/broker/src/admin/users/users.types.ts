import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const SCRAM =
  'Whether the user can log in with SCRAM-SHA-256 (MQTT 5 enhanced authentication): false for a password set before the broker kept SCRAM credentials, or imported as a bare hash, until the next password login';

@ObjectType('MqttUser', { description: 'A user of the broker: MQTT clients sign in as users; the admin and viewer roles open the admin API' })
export class MqttUserType {
  @Field() @ApiProperty() username!: string;
  @Field(() => [String]) @ApiProperty({ type: [String] }) roles!: string[];
  @Field() @ApiProperty() enabled!: boolean;
  @Field({ description: SCRAM }) @ApiProperty({ description: SCRAM }) scram!: boolean;
  @Field() @ApiProperty() createdAt!: Date;
  @Field() @ApiProperty() updatedAt!: Date;
}

@InputType()
export class CreateUserInput {
  @Field()
  @ApiProperty({ description: 'Not empty, no spaces at either end' })
  username!: string;

  @Field({ description: 'At most 72 bytes (bcrypt reads no more)' })
  @ApiProperty({ description: 'At most 72 bytes (bcrypt reads no more)' })
  password!: string;

  @Field(() => [String], { nullable: true, description: 'e.g. admin, viewer, or names your ACL rules use' })
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'e.g. admin, viewer, or names your ACL rules use' })
  roles?: string[];

  @Field({ nullable: true, defaultValue: true })
  @ApiPropertyOptional({ type: Boolean, nullable: true, default: true })
  enabled?: boolean;
}

@InputType({ description: 'What to change; what is left out stays as it is' })
export class UpdateUserInput {
  @Field({ nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true, description: 'A new password, at most 72 bytes' })
  password?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'The roles it has from now on' })
  roles?: string[];

  @Field({ nullable: true })
  @ApiPropertyOptional({ type: Boolean, nullable: true })
  enabled?: boolean;
}

@ObjectType('UserExport', { description: 'A user as moved between installations: with its bcrypt hash, never a password' })
export class UserExportType {
  @Field() @ApiProperty() username!: string;
  @Field(() => [String]) @ApiProperty({ type: [String] }) roles!: string[];
  @Field() @ApiProperty() enabled!: boolean;
  @Field({ description: 'bcrypt' }) @ApiProperty({ description: 'bcrypt' }) passwordHash!: string;
}

@InputType({ description: 'A user to import: with the bcrypt hash of an export, or a new password' })
export class UserImportInput {
  @Field() @ApiProperty() username!: string;
  @Field(() => [String], { defaultValue: [] }) @ApiPropertyOptional({ type: [String], default: [] }) roles!: string[];
  @Field({ defaultValue: true }) @ApiPropertyOptional({ type: Boolean, default: true }) enabled!: boolean;
  @Field({ nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: 'The bcrypt hash of an export; or give password' }) passwordHash?: string;
  @Field({ nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: 'A new password; or give passwordHash' }) password?: string;
}

@ObjectType('UserImportResult')
export class UserImportResultType {
  @Field(() => Int) @ApiProperty({ type: 'integer' }) created!: number;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) updated!: number;
}
