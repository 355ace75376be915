import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Icon } from './icon';

/**
 * What a screen or a panel shows instead of its content: loading, an error (with a way to try again) or
 * nothing to show yet (with what would make something appear).
 */
@Component({
  selector: 'app-page-state',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressSpinnerModule, Icon],
  template: `
    @switch (kind()) {
      @case ('loading') {
        <div class="state" role="status" aria-live="polite">
          <mat-spinner diameter="32" aria-label="Loading" />
          <span>{{ message() || 'Loading…' }}</span>
        </div>
      }
      @case ('error') {
        <div class="state error" role="alert">
          <app-icon name="error" />
          <span>{{ message() }}</span>
          <button mat-stroked-button type="button" (click)="retry.emit()">Try again</button>
        </div>
      }
      @case ('empty') {
        <div class="state empty" role="status">
          <app-icon name="empty" />
          <span>{{ message() }}</span>
          <ng-content />
        </div>
      }
    }
  `,
  styles: `
    .state { display: flex; flex-direction: column; align-items: center; gap: 12px; padding: 48px 16px; text-align: center; color: var(--mat-sys-on-surface-variant); }
    .error { color: var(--mat-sys-error); }
    app-icon { width: 40px; height: 40px; }
  `,
})
export class PageState {
  readonly kind = input.required<'loading' | 'error' | 'empty'>();
  readonly message = input<string>('');
  readonly retry = output<void>();
}
