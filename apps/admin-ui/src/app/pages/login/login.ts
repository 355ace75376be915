import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { AuthService } from '../../core/auth/auth.service';
import { SignInMethods, SsoMethod, ssoFailure } from '../../core/auth/sign-in-methods';
import { errorMessage } from '../../core/graphql/errors';
import { ThemeService } from '../../core/theme/theme.service';
import { Icon } from '../../shared/icon';

/** The API's refusal as a sentence (it reads the same for a wrong name and a wrong password). */
export function loginError(error: unknown): string {
  const message = errorMessage(error);
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
}

@Component({
  selector: 'app-login',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressBarModule, Icon],
  templateUrl: './login.html',
  styleUrl: './login.scss',
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly theme = inject(ThemeService);
  /** Where to go after signing in (?next=...). */
  readonly next = input<string>();
  /** Why a single sign-on came back without signing in (?sso_error=...), as the broker's code. */
  readonly ssoError = input<string | undefined>(undefined, { alias: 'sso_error' });

  protected readonly form = new FormGroup({
    username: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(this.auth.endedReason());
  /** Single sign-on, when the broker offers it: a "Sign in with ..." button. */
  protected readonly sso = signal<SsoMethod | null>(null);
  private readonly ssoErrorDismissed = signal(false);
  /** The page's own sentence for the broker's code; it never shows text taken from the address. */
  protected readonly ssoMessage = computed(() => {
    const code = this.ssoError();
    return code && !this.ssoErrorDismissed() ? ssoFailure(code, this.sso()?.label ?? 'single sign-on') : null;
  });

  constructor() {
    void inject(SignInMethods).sso().then((sso) => this.sso.set(sso));
  }

  protected async submit(): Promise<void> {
    if (this.form.invalid || this.busy()) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.ssoErrorDismissed.set(true);
    try {
      const { username, password } = this.form.getRawValue();
      await this.auth.login(username.trim(), password);
      const next = this.next();
      await this.router.navigateByUrl(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (e) {
      this.error.set(loginError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
