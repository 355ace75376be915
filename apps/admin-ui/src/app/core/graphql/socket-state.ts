import { Injectable, signal } from '@angular/core';

/** Whether the live socket is up, for the shell to show when the screen is not live. */
@Injectable({ providedIn: 'root' })
export class SocketState {
  readonly connected = signal(false);
}
