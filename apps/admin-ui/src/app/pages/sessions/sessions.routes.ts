import { Routes } from '@angular/router';

export const SESSIONS_ROUTES: Routes = [
  { path: '', title: 'Sessions · NestMQ', loadComponent: () => import('./sessions').then((m) => m.SessionsPage) },
  { path: ':clientId', title: 'Session · NestMQ', loadComponent: () => import('./session').then((m) => m.SessionPage) },
];
