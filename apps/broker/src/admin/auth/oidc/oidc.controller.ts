import { Get, HttpStatus, Redirect, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOperation } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { notFound } from '../../admin-error';
import { Problems, RestController } from '../../rest/rest-controller';
import { AdminRequest, Public } from '../admin-principal';
import { OIDC_PATH, OidcSignInService } from './oidc-sign-in.service';
import { OidcSignInError } from './oidc-sign-in.error';

/** Ties a sign-in to the browser that started it (login CSRF): HttpOnly, sent back only to these routes. */
const COOKIE = 'nestmq_oidc';

interface Redirection {
  url: string;
  statusCode: number;
}

/** The value of one cookie of a request. */
function cookie(request: AdminRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The browser's side of admin single sign-on: both routes answer with a redirect, never with an error
 * page of their own; a failure lands on the admin UI's login page, which says what went wrong.
 */
@RestController('auth/oidc')
export class OidcController {
  constructor(private readonly signIn: OidcSignInService) {}

  @Public()
  @Get('login')
  @Redirect()
  @ApiOperation({ summary: 'Starts single sign-on: redirects the browser to the OpenID Connect provider (authorization code with PKCE)' })
  @ApiFoundResponse({ description: "To the provider's sign-in page; to the admin UI's login page with ?sso_error=unavailable when the provider cannot be reached" })
  @Problems([HttpStatus.NOT_FOUND, 'Single sign-on is not configured (OIDC_ISSUER)'])
  async oidcLogin(@Req() request: AdminRequest, @Res({ passthrough: true }) response: ServerResponse): Promise<Redirection> {
    if (this.signIn.label === undefined) throw notFound('single sign-on is not configured on this broker (OIDC_ISSUER)');
    try {
      const { url, browser } = await this.signIn.start(cookie(request, COOKIE));
      const secure = this.signIn.publicUrl('/').startsWith('https:') ? '; Secure' : '';
      response.setHeader('Set-Cookie', `${COOKIE}=${browser}; Path=${OIDC_PATH}; Max-Age=600; HttpOnly; SameSite=Lax${secure}`);
      return { url, statusCode: HttpStatus.FOUND };
    } catch (e) {
      return this.toLoginPage(e);
    }
  }

  @Public()
  @Get('callback')
  @Redirect()
  @ApiOperation({ summary: 'Where the provider sends the browser back; register <OIDC_PUBLIC_URL>/api/v1/auth/oidc/callback as the redirect URL' })
  @ApiFoundResponse({
    description: 'To the admin UI at /login/sso?code=<one-time code> (traded with the oidcSignIn mutation), or to /login?sso_error=<cancelled|provider_error|expired|rejected|unavailable|no_role>',
  })
  async oidcCallback(@Req() request: AdminRequest): Promise<Redirection> {
    if (this.signIn.label === undefined) throw notFound('single sign-on is not configured on this broker (OIDC_ISSUER)');
    const query = (request.url ?? '').split('?')[1] ?? '';
    // The address the provider was given, with what it added: the redirect URI it is checked against.
    const url = new URL(`${this.signIn.publicUrl(`${OIDC_PATH}/callback`)}?${query}`);
    try {
      const code = await this.signIn.finish(url, cookie(request, COOKIE));
      return { url: this.signIn.publicUrl(`/login/sso?code=${encodeURIComponent(code)}`), statusCode: HttpStatus.FOUND };
    } catch (e) {
      return this.toLoginPage(e);
    }
  }

  private toLoginPage(e: unknown): Redirection {
    if (!(e instanceof OidcSignInError)) throw e;
    return { url: this.signIn.publicUrl(`/login?sso_error=${e.failure}`), statusCode: HttpStatus.FOUND };
  }
}
