import { Controller, HttpStatus } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ApiBearerAuth, ApiExtraModels, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ADMIN_ONLY, PUBLIC } from '../auth/admin-principal';
import { PROBLEM_JSON, ProblemDetails } from './problem-details';

/** Where the REST admin API lives on HTTP_PORT; a new version would be a new prefix beside it. */
export const API_PREFIX = '/api/v1';

/** Whether a request path is the REST API's: its errors are answered as problem details. */
export function isRestPath(path: string): boolean {
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
}

const WHEN: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'A parameter or the body cannot be used: the detail names it and says what to fix',
  [HttpStatus.UNAUTHORIZED]: 'No valid access token: send "Authorization: Bearer <accessToken>" from POST /api/v1/auth/login',
  [HttpStatus.FORBIDDEN]: 'This needs the admin role; the viewer role may only read',
  [HttpStatus.NOT_FOUND]: 'What the path names does not exist',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The body is larger than the server accepts',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'An unexpected error, logged on the server; the answer says nothing of its cause',
};

/**
 * Documents error answers of an operation: problem details (application/problem+json) with these
 * statuses, each said the usual way or as `[status, 'when it happens']`.
 */
export function Problems(...statuses: Array<HttpStatus | [HttpStatus, string]>): MethodDecorator {
  return (target, key, descriptor) => {
    for (const entry of statuses) {
      const [status, description] = Array.isArray(entry) ? entry : [entry, WHEN[entry] ?? 'An error'];
      ApiResponse({ status, description, content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetails) } } } })(target, key, descriptor);
    }
  };
}

/**
 * A controller of the REST admin API: its routes are under /api/v1/<resource>, grouped under the
 * resource in the OpenAPI document. What the guard enforces is documented from the same metadata it
 * reads: every operation not marked @Public needs the bearer token (401), every one marked @AdminOnly the
 * admin role (403), and any may fail unexpectedly (500). Other errors an operation can give are listed
 * on it with @Problems.
 */
export function RestController(resource: string): ClassDecorator {
  return (target) => {
    Controller(`${API_PREFIX}/${resource}`)(target);
    ApiTags(resource)(target);
    ApiExtraModels(ProblemDetails)(target);
    const prototype = target.prototype as Record<string, unknown>;
    const flag = (key: string, handler: object): boolean => Reflect.getMetadata(key, handler) === true || Reflect.getMetadata(key, target) === true;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
      const handler = descriptor.value as object;
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const statuses = [HttpStatus.INTERNAL_SERVER_ERROR];
      if (!flag(PUBLIC, handler)) {
        ApiBearerAuth()(prototype, name, descriptor);
        statuses.unshift(HttpStatus.UNAUTHORIZED);
      }
      if (flag(ADMIN_ONLY, handler)) statuses.splice(1, 0, HttpStatus.FORBIDDEN);
      Problems(...statuses)(prototype, name, descriptor);
    }
  };
}
