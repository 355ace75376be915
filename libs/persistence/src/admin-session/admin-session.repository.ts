import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, MoreThan, Repository } from 'typeorm';
import { AdminSessionEntity } from './admin-session.entity';

/** Admin API logins. */
export class AdminSessionRepository {
  private readonly sessions: Repository<AdminSessionEntity>;

  constructor(dataSource: DataSource) {
    this.sessions = dataSource.getRepository(AdminSessionEntity);
  }

  async open(username: string, address: string | null, expiresAt: Date): Promise<AdminSessionEntity> {
    return this.sessions.save(this.sessions.create({ username, address, expiresAt, refreshId: randomUUID() }));
  }

  /**
   * Moves the session to a new refresh token, if `refreshId` is still its current one; returns the new id,
   * or null when that token was already used (the caller revokes the session: someone else holds a copy).
   */
  async renew(id: string, refreshId: string, expiresAt: Date): Promise<string | null> {
    const next = randomUUID();
    const result = await this.sessions.update(
      { id, refreshId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      { refreshId: next, lastUsedAt: new Date(), expiresAt },
    );
    return result.affected === 1 ? next : null;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.sessions.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return result.affected === 1;
  }

  /** Revoked sessions whose access tokens may still be in circulation (issued within `sinceMs`). */
  async revokedSince(since: Date): Promise<string[]> {
    const rows = await this.sessions.find({ select: { id: true }, where: { revokedAt: MoreThan(since) } });
    return rows.map((r) => r.id);
  }
}
