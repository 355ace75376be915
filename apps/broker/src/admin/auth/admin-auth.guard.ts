import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthenticated } from '../admin-error';
import { ADMIN_ONLY, PUBLIC, bearerToken, requestOf } from './admin-principal';
import { AdminAuthService } from './admin-auth.service';

/**
 * Every admin API operation needs an access token (`Authorization: Bearer`), except those marked
 * @Public; those marked @AdminOnly need the admin role.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AdminAuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = requestOf(context);
    const token = bearerToken(request.headers?.authorization);
    if (!token) throw unauthenticated('sign in first: send "Authorization: Bearer <accessToken>" from login (the GraphQL mutation or POST /api/v1/auth/login), or an API key');
    request.admin = await this.auth.authenticate(token, request.ip ?? request.socket?.remoteAddress);
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && request.admin.role !== 'admin') {
      throw forbidden('this needs the admin role; the viewer role may only read');
    }
    return true;
  }
}
