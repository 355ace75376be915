import { Routes } from '@angular/router';
import { adminGuard, signedInGuard, signedOutGuard } from './core/auth/auth.guard';

export const routes: Routes = [
  { path: 'login', title: 'Sign in · NestMQ', canActivate: [signedOutGuard], loadComponent: () => import('./pages/login/login').then((m) => m.LoginPage) },
  { path: 'login/sso', title: 'Signing in · NestMQ', loadComponent: () => import('./pages/login/sso-callback').then((m) => m.SsoCallbackPage) },
  {
    path: '',
    canActivate: [signedInGuard],
    loadComponent: () => import('./layout/shell').then((m) => m.Shell),
    children: [
      { path: '', pathMatch: 'full', title: 'Dashboard · NestMQ', loadComponent: () => import('./pages/dashboard/dashboard').then((m) => m.DashboardPage) },
      { path: 'clients', loadChildren: () => import('./pages/clients/clients.routes').then((m) => m.CLIENTS_ROUTES) },
      { path: 'sessions', loadChildren: () => import('./pages/sessions/sessions.routes').then((m) => m.SESSIONS_ROUTES) },
      { path: 'topics', loadChildren: () => import('./pages/topics/topics.routes').then((m) => m.TOPICS_ROUTES) },
      { path: 'live', title: 'Live messages · NestMQ', loadComponent: () => import('./pages/live/live-messages').then((m) => m.LiveMessagesPage) },
      { path: 'history', title: 'History · NestMQ', loadComponent: () => import('./pages/history/history').then((m) => m.HistoryPage) },
      { path: 'stored', title: 'Stored messages · NestMQ', loadComponent: () => import('./pages/stored/stored').then((m) => m.StoredPage) },
      { path: 'retained', title: 'Retained · NestMQ', loadComponent: () => import('./pages/retained/retained').then((m) => m.RetainedPage) },
      { path: 'users', title: 'Users · NestMQ', loadComponent: () => import('./pages/users/users').then((m) => m.UsersPage) },
      { path: 'acl', title: 'ACL rules · NestMQ', loadComponent: () => import('./pages/acl/acl').then((m) => m.AclPage) },
      { path: 'api-keys', title: 'API keys · NestMQ', canActivate: [adminGuard], loadComponent: () => import('./pages/api-keys/api-keys').then((m) => m.ApiKeysPage) },
      { path: 'session-log', title: 'Session log · NestMQ', loadComponent: () => import('./pages/session-log/session-log').then((m) => m.SessionLogPage) },
      { path: 'audit-log', title: 'Audit log · NestMQ', loadComponent: () => import('./pages/audit-log/audit-log').then((m) => m.AuditLogPage) },
      { path: 'settings', title: 'Settings · NestMQ', loadComponent: () => import('./pages/settings/settings').then((m) => m.SettingsPage) },
      { path: '**', title: 'Not found · NestMQ', loadComponent: () => import('./pages/not-found').then((m) => m.NotFoundPage) },
    ],
  },
];
