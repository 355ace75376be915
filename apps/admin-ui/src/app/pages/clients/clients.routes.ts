import { Routes } from '@angular/router';

export const CLIENTS_ROUTES: Routes = [
  { path: '', title: 'Clients · NestMQ', loadComponent: () => import('./clients').then((m) => m.ClientsPage) },
  { path: ':clientId', title: 'Client · NestMQ', loadComponent: () => import('./client').then((m) => m.ClientPage) },
];
