import { ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_JSON, problemOf } from './rest/problem-details';
import { isRestPath } from './rest/rest-controller';

/**
 * How the admin API answers errors, per transport:
 * - GraphQL: the errors it means to give (a wrong password, bad input, a missing role) go back to the
 *   client as they are, with their code: they are answers, not failures, and are not logged as errors.
 *   Anything else is left to Nest, which logs it and answers without the details.
 * - REST (/api/v1): every error is RFC 7807 problem details, its status from the error's code (see
 *   problemOf); an unexpected one is a 500 that says nothing of its cause, logged here with its stack.
 * - Any other HTTP route (/health, /metrics, /graphql's own HTTP errors): as Nest answers them.
 */
@Catch()
export class AdminExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return exception instanceof GraphQLError ? exception : undefined;
    const request = host.switchToHttp().getRequest<IncomingMessage & { originalUrl?: string }>();
    if (!isRestPath((request.originalUrl ?? request.url ?? '').split('?')[0])) return super.catch(exception, host);
    const { problem, unexpected } = problemOf(exception);
    if (unexpected) this.logger.error(`${request.method} ${request.originalUrl ?? request.url}`, exception instanceof Error ? exception.stack : String(exception));
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (response.headersSent) {
      response.end();
      return undefined;
    }
    response.statusCode = problem.status;
    response.setHeader('content-type', `${PROBLEM_JSON}; charset=utf-8`);
    if (problem.status === HttpStatus.UNAUTHORIZED) response.setHeader('www-authenticate', 'Bearer');
    response.end(JSON.stringify(problem));
    return undefined;
  }
}
