import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatListModule } from '@angular/material/list';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { AuthService } from '../core/auth/auth.service';
import { SocketState } from '../core/graphql/socket-state';
import { LiveService } from '../core/live/live.service';
import { ThemeService } from '../core/theme/theme.service';
import { Icon, IconName } from '../shared/icon';

interface NavItem {
  path: string;
  label: string;
  icon: IconName;
  exact: boolean;
  /** Shown to the admin role only. */
  adminOnly?: boolean;
}

export const NAV: readonly NavItem[] = [
  { path: '/', label: 'Dashboard', icon: 'dashboard', exact: true },
  { path: '/clients', label: 'Clients', icon: 'clients', exact: false },
  { path: '/sessions', label: 'Sessions', icon: 'sessions', exact: false },
  { path: '/topics', label: 'Topics', icon: 'topics', exact: false },
  { path: '/live', label: 'Live messages', icon: 'live', exact: false },
  { path: '/history', label: 'History', icon: 'history', exact: false },
  { path: '/stored', label: 'Stored messages', icon: 'stored', exact: false },
  { path: '/retained', label: 'Retained', icon: 'retained', exact: false },
  { path: '/users', label: 'Users', icon: 'users', exact: false },
  { path: '/acl', label: 'ACL rules', icon: 'shield', exact: false },
  { path: '/api-keys', label: 'API keys', icon: 'key', exact: false, adminOnly: true },
  { path: '/session-log', label: 'Session log', icon: 'history', exact: false },
  { path: '/audit-log', label: 'Audit log', icon: 'audit', exact: false },
  { path: '/settings', label: 'Settings', icon: 'settings', exact: false },
];

/** The frame of every signed-in screen: side navigation (a drawer at phone width), toolbar, content. */
@Component({
  selector: 'app-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatSidenavModule, MatToolbarModule, MatListModule, MatButtonModule, MatTooltipModule, RouterOutlet, RouterLink, RouterLinkActive, Icon],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  protected readonly auth = inject(AuthService);
  protected readonly theme = inject(ThemeService);
  protected readonly socket = inject(SocketState);
  protected readonly live = inject(LiveService);
  protected readonly nav = computed(() => NAV.filter((item) => !item.adminOnly || this.auth.canEdit()));
  private readonly sidenav = viewChild.required(MatSidenav);
  protected readonly narrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 959.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly liveLabel = computed(() => (this.socket.connected() ? 'Live' : 'Reconnecting…'));

  protected navigated(): void {
    if (this.narrow()) void this.sidenav().close();
  }

  /**
   * The skip link moves the focus to the page's content. Followed as a link, "#main" would resolve
   * against <base href="/"> and lead to the dashboard from every other page.
   */
  protected skipToContent(event: Event, main: HTMLElement): void {
    event.preventDefault();
    main.focus();
    main.scrollIntoView();
  }
}
