import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';

export interface StopListenerData {
  /** How the listener reads to people, e.g. mqtt://broker.example:1883 */
  address: string;
  /** Its clients connected now */
  connections: number;
}

export interface StopListenerResult {
  disconnectClients: boolean;
}

/** Asks before a listener stops accepting connections, and whether its connected clients go too. */
@Component({
  selector: 'app-stop-listener-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, MatCheckboxModule],
  template: `
    <h2 mat-dialog-title>Stop {{ data.address }}?</h2>
    <mat-dialog-content class="body">
      <p>New clients cannot connect to it until it is started again. Clients connected through it stay connected unless you disconnect them too.</p>
      <mat-checkbox [checked]="disconnect()" (change)="disconnect.set($event.checked)" data-testid="disconnect-clients">
        Also disconnect its clients ({{ data.connections }} connected)
      </mat-checkbox>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="undefined">Cancel</button>
      <button mat-flat-button type="button" class="danger" [mat-dialog-close]="{ disconnectClients: disconnect() }" cdkFocusInitial>Stop</button>
    </mat-dialog-actions>
  `,
  styles: `.body p { margin: 0 0 8px; max-width: 440px; } mat-checkbox { margin-left: -8px; }`,
})
export class StopListenerDialog {
  protected readonly data = inject<StopListenerData>(MAT_DIALOG_DATA);
  protected readonly disconnect = signal(false);
}
