import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { IncomingMessage } from 'node:http';
import { AccessClaims } from './admin-tokens';

/** The request an operation came with, whether over HTTP or on a GraphQL subscription's socket. */
export interface AdminRequest extends IncomingMessage {
  /** The client's address, as Express reads it. */
  ip?: string;
  admin?: AccessClaims;
}

/** Open without a token: logging in, health checks. */
export const PUBLIC = 'nestmq:public';
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);

/** Changes the broker: the admin role only (a viewer reads). */
export const ADMIN_ONLY = 'nestmq:admin-only';
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

/** The HTTP request behind a controller call or a GraphQL operation. */
export function requestOf(context: ExecutionContext): AdminRequest {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ req: AdminRequest }>().req;
  return context.switchToHttp().getRequest<AdminRequest>();
}

/** The signed-in admin of a guarded operation. */
export const CurrentAdmin = createParamDecorator((_: unknown, context: ExecutionContext): AccessClaims | undefined => requestOf(context).admin);

/** The address a request came from, as login throttling counts it. */
export function clientAddress(request: AdminRequest): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

/** The address the request of an operation came from (see clientAddress). */
export const ClientAddress = createParamDecorator((_: unknown, context: ExecutionContext): string => clientAddress(requestOf(context)));

/** The token of an `Authorization: Bearer <token>` value, if it is one. */
export function bearerToken(authorization: unknown): string | undefined {
  if (typeof authorization !== 'string' || !/^Bearer /i.test(authorization)) return undefined;
  return authorization.slice(7).trim() || undefined;
}

/** What graphql-ws hands the context function for an operation on a socket. */
interface SocketContext {
  connectionParams?: Record<string, unknown>;
  extra?: { request?: IncomingMessage };
}

/**
 * The GraphQL context of an operation: over HTTP, the request; on a subscription socket, a request made
 * of its connection_init payload (`{ "authorization": "Bearer ..." }`), so the guard reads both alike.
 */
export function operationContext(ctx: { req?: AdminRequest } & SocketContext): { req: AdminRequest } {
  if (ctx.req !== undefined) return { req: ctx.req };
  const request = ctx.extra?.request;
  const authorization = ctx.connectionParams?.authorization;
  const headers = typeof authorization === 'string' ? { authorization } : {};
  return { req: { headers, ip: request?.socket.remoteAddress, socket: request?.socket } as unknown as AdminRequest };
}
