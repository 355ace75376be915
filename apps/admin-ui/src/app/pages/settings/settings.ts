import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { LiveService } from '../../core/live/live.service';
import { BrokerSettingsDocument, BrokerSettingsQuery } from '../../graphql/generated';
import { duration } from '../../shared/format';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { Setting, groupSettings, shown } from './settings-groups';

/** About the broker (version, uptime, database) and the configuration it runs with, without secrets. */
@Component({
  selector: 'app-settings',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatFormFieldModule, MatInputModule, MatSlideToggleModule, Icon, PageState],
  templateUrl: './settings.html',
  styleUrl: './settings.scss',
})
export class SettingsPage {
  private readonly apollo = inject(Apollo);
  private readonly live = inject(LiveService);
  protected readonly data = signal<BrokerSettingsQuery | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly search = signal('');
  protected readonly changedOnly = signal(false);
  protected readonly groups = computed(() => groupSettings(this.data()?.brokerSettings ?? [], this.search(), this.changedOnly()));
  protected readonly changed = computed(() => (this.data()?.brokerSettings ?? []).filter((s) => !s.isDefault).length);
  protected readonly shown = shown;

  /** Uptime moves with the metrics ticks: no timer of its own. */
  protected readonly uptime = computed(() => {
    const status = this.data()?.brokerStatus;
    if (!status) return '';
    const at = this.live.latest()?.at;
    return duration(at ? (Date.parse(at) - Date.parse(status.startedAt)) / 1000 : status.uptimeSeconds);
  });

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    this.error.set(null);
    this.data.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: BrokerSettingsDocument }));
      if (result.error) throw result.error;
      this.data.set(result.data!);
    } catch (e) {
      this.error.set(`The settings could not be read: ${errorMessage(e)}`);
    }
  }

  protected track(s: Setting): string {
    return s.name;
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleString();
  }
}
