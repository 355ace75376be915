import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { CreateUserInput, MqttUserType, UpdateUserInput } from './users.types';
import { UsersService } from './users.service';

@Resolver(() => MqttUserType)
export class UsersResolver {
  constructor(private readonly users: UsersService) {}

  @Query(() => [MqttUserType], { name: 'users', description: 'Every user, by name' })
  list(): Promise<MqttUserType[]> {
    return this.users.list();
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
