import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { AclRulesDocument, CreateAclRuleDocument, DeleteAclRuleDocument, UpdateAclRuleDocument } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { AclRuleDialog, AclRuleDialogData, AclRuleInput } from './acl-rule-dialog';
import { AclRule, appliesTo, moved, splitRules } from './acl-rules';
import { refreshWhileVisible } from '../../shared/refresh-while-visible';

/** Rules change only through the API: read again after each change here, and every 30 s while visible for changes made elsewhere. */
const REFRESH_MS = 30_000;

/** The topic rules: the database's in order (create, edit, move, delete), then the ACL file's, read-only. */
@Component({
  selector: 'app-acl',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule, MatTooltipModule, Icon, PageState],
  templateUrl: './acl.html',
  styleUrl: './acl.scss',
})
export class AclPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);

  protected readonly rules = signal<AclRule[] | null>(null);
  protected readonly settings = signal<ReadonlyMap<string, string | null>>(new Map());
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly database = computed(() => splitRules(this.rules() ?? []).database);
  protected readonly file = computed(() => splitRules(this.rules() ?? []).file);
  protected readonly noMatch = computed(() => this.settings().get('ACL_NO_MATCH') ?? 'allow');
  protected readonly aclFile = computed(() => this.settings().get('ACL_FILE') ?? null);
  protected readonly appliesTo = appliesTo;

  constructor() {
    void this.load();
    refreshWhileVisible(() => !this.busy() && void this.load(true), REFRESH_MS);
  }

  protected async load(quiet = false): Promise<void> {
    if (!quiet) this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: AclRulesDocument }));
      if (result.error) throw result.error;
      this.rules.set(result.data!.aclRules);
      this.settings.set(new Map(result.data!.brokerSettings.map((s) => [s.name, s.value])));
      this.error.set(null);
    } catch (e) {
      if (!quiet || this.rules() === null) this.error.set(`The ACL rules could not be read: ${errorMessage(e)}`);
    }
  }

  protected async create(): Promise<void> {
    await this.openDialog(undefined, async (input) => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: CreateAclRuleDocument, variables: { input } }));
      if (r.error) throw r.error;
      this.snack.open(`Rule ${r.data!.createAclRule.position} created`, undefined, { duration: 4000 });
    });
  }

  protected async edit(rule: AclRule): Promise<void> {
    await this.openDialog(rule, async (input) => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: UpdateAclRuleDocument, variables: { id: rule.id, input } }));
      if (r.error) throw r.error;
      this.snack.open(`Rule ${rule.position} saved`, undefined, { duration: 4000 });
    });
  }

  /** Moves a rule one place up (-1) or down (1); the list shows the new order at once. */
  protected async move(rule: AclRule, delta: -1 | 1): Promise<void> {
    const list = this.database();
    const index = list.findIndex((r) => r.id === rule.id);
    const position = (rule.position ?? index + 1) + delta;
    const reordered = moved(list, index, delta).map((r, i) => ({ ...r, position: i + 1 }));
    this.rules.set([...reordered, ...this.file()]);
    await this.run(null, async () => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: UpdateAclRuleDocument, variables: { id: rule.id, input: { position } } }));
      if (r.error) throw r.error;
    });
    // Keep the focus on the rule that moved, so it can be moved again from the keyboard.
    queueMicrotask(() => (document.querySelector(`[data-rule-id="${rule.id}"] .move-${delta < 0 ? 'up' : 'down'}:not([disabled])`) as HTMLElement | null)?.focus());
  }

  protected async remove(rule: AclRule): Promise<void> {
    const data: ConfirmData = {
      title: `Delete rule ${rule.position}?`,
      message: `${rule.permission} ${rule.action} on ${rule.topic} for ${appliesTo(rule)}. Connected clients are held to the rules without it from their next packet.`,
      confirm: 'Delete',
    };
    if (!(await firstValueFrom(this.dialog.open(ConfirmDialog, { data }).afterClosed()))) return;
    await this.run(`Rule ${rule.position} deleted`, async () => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: DeleteAclRuleDocument, variables: { id: rule.id } }));
      if (r.error) throw r.error;
    });
  }

  private async openDialog(rule: AclRule | undefined, send: (input: AclRuleInput) => Promise<void>): Promise<void> {
    const maxLevels = Number(this.settings().get('MAX_TOPIC_LEVELS') ?? 128) || 128;
    const data: AclRuleDialogData = { rule, maxLevels, save: send };
    const saved = await firstValueFrom(this.dialog.open<AclRuleDialog, AclRuleDialogData, boolean>(AclRuleDialog, { data }).afterClosed());
    if (saved) await this.load(true);
  }

  /** Runs a change, says how it went, and reads the list again. */
  private async run(done: string | null, work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    try {
      await work();
      if (done) this.snack.open(done, undefined, { duration: 4000 });
    } catch (e) {
      this.snack.open(errorMessage(e), 'Close', { duration: 10_000 });
    } finally {
      await this.load(true);
      this.busy.set(false);
    }
  }
}
