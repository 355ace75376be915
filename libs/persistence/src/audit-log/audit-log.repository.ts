import { DataSource, LessThan, Repository } from 'typeorm';
import { AuditLogEntity } from './audit-log.entity';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  entries: AuditLogEntity[];
  /** Pass back as `after` for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

/** The admin API's audit log: appended to, read newest first a page at a time. */
export class AuditLogRepository {
  private readonly log: Repository<AuditLogEntity>;

  constructor(dataSource: DataSource) {
    this.log = dataSource.getRepository(AuditLogEntity);
  }

  async append(entry: AuditEntry): Promise<AuditLogEntity> {
    return this.log.save(this.log.create(entry));
  }

  /** `first` entries older than the cursor `after` (an entry id), newest first. */
  async page(first: number, after?: string | null): Promise<AuditPage> {
    if (after != null && !/^\d{1,19}$/.test(after)) throw new RangeError('not an audit log cursor');
    const rows = await this.log.find({ where: after != null ? { id: LessThan(after) } : {}, order: { id: 'DESC' }, take: first + 1 });
    const entries = rows.slice(0, first);
    return { entries, nextCursor: rows.length > first ? entries[entries.length - 1].id : null };
  }
}
