import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

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

@ObjectType('AclRule', {
  description:
    'A topic rule. Database rules are read in position order and the first that applies to the client, the action and the topic decides; ' +
    'when none does, the ACL file decides (what it does not allow is refused), or without a file ACL_NO_MATCH. %c and %u in a topic stand for the client id and user name.',
})
export class AclRuleType {
  @Field(() => ID, { description: 'A number for database rules; file:<line> for the ACL file' }) id!: string;
  @Field(() => AclRuleSource) source!: AclRuleSource;
  @Field(() => Int, { nullable: true, description: '1 for the first database rule; null for file rules, which have no order' }) position!: number | null;
  @Field(() => AclPermissionName) permission!: AclPermissionName;
  @Field(() => AclActionName) action!: AclActionName;
  @Field() topic!: string;
  @Field(() => String, { nullable: true, description: "Only this user's clients; null: any" }) username!: string | null;
  @Field(() => String, { nullable: true, description: 'Only this client; null: any' }) clientId!: string | null;
  @Field({ description: 'Only clients without a user name' }) anonymous!: boolean;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => Int, { nullable: true, description: 'The line of ACL_FILE a file rule is on' }) fileLine!: number | null;
  @Field(() => Date, { nullable: true }) createdAt!: Date | null;
  @Field(() => Date, { nullable: true }) updatedAt!: Date | null;
}

@InputType()
export class CreateAclRuleInput {
  @Field(() => AclPermissionName) permission!: AclPermissionName;
  @Field(() => AclActionName) action!: AclActionName;
  @Field({ description: 'A topic filter; %c and %u stand for the client id and user name, each within one level' }) topic!: string;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true }) clientId?: string | null;
  @Field({ nullable: true, defaultValue: false }) anonymous?: boolean;
  @Field(() => String, { nullable: true }) comment?: string | null;
  @Field(() => Int, { nullable: true, description: '1 = first; left out or beyond the end: last' }) position?: number | null;
}

@InputType({ description: 'What to change; what is left out stays as it is, null clears username, clientId or comment' })
export class UpdateAclRuleInput {
  @Field(() => AclPermissionName, { nullable: true }) permission?: AclPermissionName | null;
  @Field(() => AclActionName, { nullable: true }) action?: AclActionName | null;
  @Field(() => String, { nullable: true }) topic?: string | null;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true }) clientId?: string | null;
  @Field(() => Boolean, { nullable: true }) anonymous?: boolean | null;
  @Field(() => String, { nullable: true }) comment?: string | null;
  @Field(() => Int, { nullable: true, description: 'Moves the rule: 1 = first; beyond the end: last' }) position?: number | null;
}
