import { Routes } from '@angular/router';

export const TOPICS_ROUTES: Routes = [
  { path: '', title: 'Topics · NestMQ', loadComponent: () => import('./topics').then((m) => m.TopicsPage) },
  // A topic holds slashes: it travels as ?topic=.
  { path: 'view', title: 'Topic · NestMQ', loadComponent: () => import('./topic').then((m) => m.TopicPage) },
];
