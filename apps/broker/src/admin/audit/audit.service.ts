import { Inject, Injectable } from '@nestjs/common';
import { AuditEntry, AuditLogRepository, AuditPage } from '@nestmq/persistence';
import { afterCursor } from '../admin-error';
import { pageSize } from '../page-size';

export const AUDIT_LOG = Symbol('AUDIT_LOG');

/** Writes and reads the audit log: every mutation of the admin API records who, what, when. */
@Injectable()
export class AuditService {
  constructor(@Inject(AUDIT_LOG) private readonly log: AuditLogRepository) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.log.append(entry);
  }

  /** Entries newest first, `first` (1 to MAX_PAGE_SIZE) after the cursor `after`. */
  async page(first: number, after?: string | null): Promise<AuditPage> {
    pageSize(first);
    return afterCursor(() => this.log.page(first, after));
  }
}
