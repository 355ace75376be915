import { Inject, Injectable } from '@nestjs/common';
import { AuditEntry, AuditLogRepository, AuditPage } from '@nestmq/persistence';

export const AUDIT_LOG = Symbol('AUDIT_LOG');

/** Writes and reads the audit log: every mutation of the admin API records who, what, when. */
@Injectable()
export class AuditService {
  constructor(@Inject(AUDIT_LOG) private readonly log: AuditLogRepository) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.log.append(entry);
  }

  page(first: number, after?: string | null): Promise<AuditPage> {
    return this.log.page(first, after);
  }
}
