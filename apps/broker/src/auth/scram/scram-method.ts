import type { AuthExchange, EnhancedAuthMethod, ExchangeContext } from '../enhanced/enhanced-auth';
import type { LoginThrottle } from '../login-throttle';
import { ScramExchange } from './scram-exchange';
import type { ScramUsers } from './scram-users';

/** The Authentication Method `SCRAM-SHA-256` (RFC 7677) against the local users. */
export class ScramSha256 implements EnhancedAuthMethod {
  readonly name = 'SCRAM-SHA-256';

  constructor(
    private readonly users: ScramUsers,
    private readonly throttle: LoginThrottle | null,
  ) {}

  begin(context: ExchangeContext): AuthExchange {
    return new ScramExchange(this.users, this.throttle, context);
  }
}
