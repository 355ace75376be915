import { ChangeDetectionStrategy, Component, computed, input, linkedSignal } from '@angular/core';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { Payload, PayloadView as View, defaultView, formatPayload, payloadBytes } from './payload';

/** A payload as text, pretty JSON or a hex dump, the view chosen with a toggle (JSON first when it parses). */
@Component({
  selector: 'app-payload-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonToggleModule],
  template: `
    <div class="bar">
      <mat-button-toggle-group [value]="view()" (change)="view.set($event.value)" [attr.aria-label]="label() + ' view'" hideSingleSelectionIndicator>
        <mat-button-toggle value="text">Text</mat-button-toggle>
        <mat-button-toggle value="json">JSON</mat-button-toggle>
        <mat-button-toggle value="hex">Hex</mat-button-toggle>
      </mat-button-toggle-group>
      <span class="muted size">{{ size() }}</span>
    </div>
    @if (formatted().note; as note) {
      <p class="note muted">{{ note }}</p>
    }
    <pre class="mono body" tabindex="0" [attr.aria-label]="label()" data-testid="payload">{{ formatted().body }}</pre>
  `,
  styles: `
    :host { display: block; }
    .bar { display: flex; align-items: center; gap: 12px; margin-bottom: 8px; }
    mat-button-toggle-group { --mat-button-toggle-height: 32px; }
    .size { font: var(--mat-sys-label-medium); }
    .note { margin: 0 0 6px; font: var(--mat-sys-body-small); }
    .body {
      margin: 0; padding: 10px 12px; max-height: 360px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere;
      background: var(--mat-sys-surface-container); border: 1px solid var(--mat-sys-outline-variant); border-radius: 8px;
    }
  `,
})
export class PayloadView {
  readonly payload = input.required<Payload>();
  readonly label = input('Payload');
  protected readonly view = linkedSignal<View>(() => defaultView(this.payload()));
  protected readonly formatted = computed(() => formatPayload(this.payload(), this.view()));
  protected readonly size = computed(() => {
    const n = payloadBytes(this.payload());
    return `${n.toLocaleString('en')} byte${n === 1 ? '' : 's'}`;
  });
}
