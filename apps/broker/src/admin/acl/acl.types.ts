import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export enum AclPermissionName {
  allow = 'allow',
  deny = 'deny',
}
registerEnumType(AclPermissionName, { name: 'AclPermission' });

export enum AclActionName {
  publish = 'publish',
  subscribe = 'subscribe',
  all = 'all',
}
registerEnumType(AclActionName, { name: 'AclAction', description: 'subscribe also governs receiving: a message is delivered only where its topic may be read' });

export enum AclRuleSource {
  database = 'database',
  file = 'file',
}
registerEnumType(AclRuleSource, { name: 'AclRuleSource', description: 'database: managed here, in order; file: ACL_FILE, read-only, consulted when no database rule applies' });

const ROLE = "Only clients their authenticator gave this role (a users-table user's roles, a JWT claim, the HTTP hook, an LDAP group); null: any";
const TOPIC = 'A topic filter; %c and %u stand for the client id and user name, each within one level';

@ObjectType('AclRule', {
  description:
    'A topic rule. Database rules are read in position order and the first that applies to the client, the action and the topic decides; ' +
    'when none does, the ACL file decides (what it does not allow is refused), or without a file ACL_NO_MATCH. %c and %u in a topic stand for the client id and user name. A rule may name a user, a client, anonymous clients or a role, and applies only to clients matching all it names.',
})
export class AclRuleType {
  @Field(() => ID, { description: 'A number for database rules; file:<line> for the ACL file' }) @ApiProperty({ description: 'A number for database rules; file:<line> for the ACL file' }) id!: string;
  @Field(() => AclRuleSource) @ApiProperty({ enum: AclRuleSource, enumName: 'AclRuleSource' }) source!: AclRuleSource;
  @Field(() => Int, { nullable: true, description: '1 for the first database rule; null for file rules, which have no order' })
  @ApiProperty({ type: 'integer', nullable: true, description: '1 for the first database rule; null for file rules, which have no order' })
  position!: number | null;
  @Field(() => AclPermissionName) @ApiProperty({ enum: AclPermissionName, enumName: 'AclPermission' }) permission!: AclPermissionName;
  @Field(() => AclActionName) @ApiProperty({ enum: AclActionName, enumName: 'AclAction' }) action!: AclActionName;
  @Field() @ApiProperty() topic!: string;
  @Field(() => String, { nullable: true, description: "Only this user's clients; null: any" }) @ApiProperty({ type: String, nullable: true, description: "Only this user's clients; null: any" }) username!: string | null;
  @Field(() => String, { nullable: true, description: 'Only this client; null: any' }) @ApiProperty({ type: String, nullable: true, description: 'Only this client; null: any' }) clientId!: string | null;
  @Field({ description: 'Only clients without a user name' }) @ApiProperty({ description: 'Only clients without a user name' }) anonymous!: boolean;
  @Field(() => String, { nullable: true, description: ROLE }) @ApiProperty({ type: String, nullable: true, description: ROLE }) role!: string | null;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @Field(() => Int, { nullable: true, description: 'The line of ACL_FILE a file rule is on' }) @ApiProperty({ type: 'integer', nullable: true, description: 'The line of ACL_FILE a file rule is on' }) fileLine!: number | null;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) createdAt!: Date | null;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) updatedAt!: Date | null;
}

@InputType()
export class CreateAclRuleInput {
  @Field(() => AclPermissionName) @ApiProperty({ enum: AclPermissionName, enumName: 'AclPermission' }) permission!: AclPermissionName;
  @Field(() => AclActionName) @ApiProperty({ enum: AclActionName, enumName: 'AclAction' }) action!: AclActionName;
  @Field({ description: TOPIC })
  @ApiProperty({ description: TOPIC })
  topic!: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: "Only this user's clients" }) username?: string | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: 'Only this client' }) clientId?: string | null;
  @Field({ nullable: true, defaultValue: false }) @ApiPropertyOptional({ type: Boolean, default: false, description: 'Only clients without a user name' }) anonymous?: boolean;
  @Field(() => String, { nullable: true, description: ROLE }) @ApiPropertyOptional({ type: String, nullable: true, description: ROLE }) role?: string | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true }) comment?: string | null;
  @Field(() => Int, { nullable: true, description: '1 = first; left out or beyond the end: last' })
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: '1 = first; left out or beyond the end: last' })
  position?: number | null;
}

@InputType({ description: 'What to change; what is left out stays as it is, null clears username, clientId or comment' })
export class UpdateAclRuleInput {
  @Field(() => AclPermissionName, { nullable: true }) @ApiPropertyOptional({ enum: AclPermissionName, enumName: 'AclPermission' }) permission?: AclPermissionName | null;
  @Field(() => AclActionName, { nullable: true }) @ApiPropertyOptional({ enum: AclActionName, enumName: 'AclAction' }) action?: AclActionName | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, description: TOPIC }) topic?: string | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: 'null: any user' }) username?: string | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true, description: 'null: any client' }) clientId?: string | null;
  @Field(() => Boolean, { nullable: true }) @ApiPropertyOptional({ type: Boolean }) anonymous?: boolean | null;
  @Field(() => String, { nullable: true, description: 'null: any role' }) @ApiPropertyOptional({ type: String, nullable: true, description: 'null: any role' }) role?: string | null;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ type: String, nullable: true }) comment?: string | null;
  @Field(() => Int, { nullable: true, description: 'Moves the rule: 1 = first; beyond the end: last' })
  @ApiPropertyOptional({ type: 'integer', description: 'Moves the rule: 1 = first; beyond the end: last' })
  position?: number | null;
}
