import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';

@Component({
  selector: 'app-not-found',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatButtonModule],
  template: `
    <h1>Nothing here</h1>
    <p>This address is not a screen of the admin UI.</p>
    <a mat-flat-button routerLink="/">To the dashboard</a>
  `,
})
export class NotFoundPage {}
