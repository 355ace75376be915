import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { CreateUserInput, MqttUserType, UpdateUserInput, UserExportType, UserImportInput, UserImportResultType } from './users.types';
import { UsersService } from './users.service';

@Resolver(() => MqttUserType)
export class UsersResolver {
  constructor(private readonly users: UsersService) {}

  @Query(() => [MqttUserType], { name: 'users', description: 'Every user, by name' })
  list(): Promise<MqttUserType[]> {
    return this.users.list();
  }

  @AdminOnly()
  @Query(() => [UserExportType], { description: 'Every user with its bcrypt hash, to import into another installation (admin only, audited)' })
  exportUsers(@CurrentAdmin() admin: AccessClaims): Promise<UserExportType[]> {
    return this.users.export(admin.username);
  }

  @AdminOnly()
  @Mutation(() => UserImportResultType, { description: 'Adds or replaces users from an export or with new passwords; all checked before any is written' })
  importUsers(@CurrentAdmin() admin: AccessClaims, @Args('users', { type: () => [UserImportInput] }) users: UserImportInput[]): Promise<UserImportResultType> {
    return this.users.import(admin.username, users);
  }

  @AdminOnly()
  @Mutation(() => MqttUserType)
  createUser(@CurrentAdmin() admin: AccessClaims, @Args('input') input: CreateUserInput): Promise<MqttUserType> {
    return this.users.create(admin.username, input);
  }

  @AdminOnly()
  @Mutation(() => MqttUserType, { description: 'Changes a password, roles or enabled; the last enabled admin stays one' })
  updateUser(@CurrentAdmin() admin: AccessClaims, @Args('username') username: string, @Args('input') input: UpdateUserInput): Promise<MqttUserType> {
    return this.users.update(admin.username, username, input);
  }

  @AdminOnly()
  @Mutation(() => Boolean)
  deleteUser(@CurrentAdmin() admin: AccessClaims, @Args('username') username: string): Promise<boolean> {
    return this.users.delete(admin.username, username);
  }
}
