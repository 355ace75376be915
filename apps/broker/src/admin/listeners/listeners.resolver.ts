import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { AccessClaims } from '../auth/admin-tokens';
import { ListenerInfo, SetListenerEnabledArgs } from './listeners.types';
import { ListenersAdminService } from './listeners.service';

@Resolver(() => ListenerInfo)
export class ListenersResolver {
  constructor(private readonly listeners: ListenersAdminService) {}

  @AdminOnly()
  @Mutation(() => ListenerInfo, {
    description:
      'Stops a listener accepting new connections, or starts it again on the same port; its connected clients stay unless disconnectClients. ' +
      'Errors: NOT_FOUND (no such listener), LISTEN_FAILED (the port could not be bound again: the listener stays disabled), BAD_USER_INPUT, SHUTTING_DOWN',
  })
  setListenerEnabled(@CurrentAdmin() admin: AccessClaims, @Args() args: SetListenerEnabledArgs): Promise<ListenerInfo> {
    return this.listeners.setEnabled(admin.username, args.listener, args.enabled, args.disconnectClients ?? false);
  }
}
