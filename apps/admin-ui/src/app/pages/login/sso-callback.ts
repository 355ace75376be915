import { ChangeDetectionStrategy, Component, OnInit, inject, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { AuthService } from '../../core/auth/auth.service';
import { loginError } from './login';

/**
 * Where single sign-on comes back (/login/sso?code=...): trades the one-time code for the broker's tokens
 * and lands on the dashboard, the code gone from the history; a code refused goes back to the login page,
 * which says why.
 */
@Component({
  selector: 'app-sso-callback',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressBarModule],
  template: `
    <main class="page">
      <section class="card" aria-busy="true" aria-live="polite">
        <mat-progress-bar mode="indeterminate" aria-label="Signing in" />
        <p>Signing you in…</p>
      </section>
    </main>
  `,
  styles: `
    .page { min-height: 100dvh; display: grid; place-items: center; padding: 16px; box-sizing: border-box; }
    .card { width: 100%; max-width: 380px; padding: 0 0 8px; overflow: hidden; text-align: center; }
  `,
})
export class SsoCallbackPage implements OnInit {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** The one-time code of the sign-in (?code=...). */
  readonly code = input<string>();

  async ngOnInit(): Promise<void> {
    const code = this.code();
    try {
      if (!code) throw new Error('That sign-in link has no code. Start again.');
      await this.auth.signInWithCode(code);
      await this.router.navigateByUrl('/', { replaceUrl: true });
    } catch (e) {
      this.auth.endedReason.set(loginError(e));
      await this.router.navigateByUrl('/login', { replaceUrl: true });
    }
  }
}
