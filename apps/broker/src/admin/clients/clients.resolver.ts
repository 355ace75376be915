import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { ClientPageType, ClientType, ClientsArgs } from './clients.types';
import { ClientsService } from './clients.service';

@Resolver(() => ClientType)
export class ClientsResolver {
  constructor(private readonly clients: ClientsService) {}

  @Query(() => ClientPageType, { name: 'clients', description: 'Connected clients, by client id' })
  page(@Args() args: ClientsArgs): ClientPageType {
    return this.clients.page(args.filter, args.first, args.after);
  }

  @Query(() => ClientType, { nullable: true, description: 'A connected client, or null' })
  client(@Args('clientId') clientId: string): ClientType | null {
    return this.clients.get(clientId);
  }

  @AdminOnly()
  @Mutation(() => Boolean, { description: 'Disconnects a client (MQTT 5.0: DISCONNECT 0x98 Administrative action); its session stays' })
  kickClient(@CurrentAdmin() admin: AccessClaims, @Args('clientId') clientId: string): Promise<boolean> {
    return this.clients.kick(admin.username, clientId);
  }
}
