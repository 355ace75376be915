import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthService } from './auth.service';

/** Screens behind the login: signed out, to /login (and back here after). */
export const signedInGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  if (auth.signedIn()) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: state.url && state.url !== '/' ? { next: state.url } : {} });
};

/** The login page: already signed in, to the dashboard. */
export const signedOutGuard: CanActivateFn = () => {
  const auth = inject(AuthService);
  return auth.signedIn() ? inject(Router).createUrlTree(['/']) : true;
};

/** Screens for the admin role only (API keys): a viewer is sent to the dashboard. */
export const adminGuard: CanActivateFn = () => {
  const auth = inject(AuthService);
  return auth.canEdit() ? true : inject(Router).createUrlTree(['/']);
};
