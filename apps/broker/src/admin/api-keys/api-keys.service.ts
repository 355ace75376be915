import { Injectable } from '@nestjs/common';
import { ApiKeyEntity, ApiKeyRepository } from '@nestmq/persistence';
import type { GraphQLError } from 'graphql';
import { badInput, notFound } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { AdminAuthService } from '../auth/admin-auth.service';
import { newKeySecret } from '../auth/api-key-secret';
import { AdminRoleName } from '../auth/admin-auth.types';
import { ChangeQueue } from '../change-queue';
import { ApiKeyState, ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-keys.types';

const noKey = (id: string): GraphQLError => notFound(`no API key "${id.slice(0, 100)}"`);

const MAX_ACTIVE_KEYS = 1_000;
const MAX_NAME_LENGTH = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** API keys: made by an admin with a role and an optional expiry, shown once, listed, revoked. */
@Injectable()
export class ApiKeysService {
  private readonly changes = new ChangeQueue();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly auth: AdminAuthService,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<ApiKeyType[]> {
    const now = Date.now();
    return (await this.keys.list()).map((k) => view(k, now));
  }

  create(actor: string, input: CreateApiKeyInput): Promise<CreatedApiKeyType> {
    return this.changes.run(async () => {
      const name = input.name.trim();
      if (name === '' || name !== input.name || name.length > MAX_NAME_LENGTH) throw badInput(`name: 1 to ${MAX_NAME_LENGTH} characters, not starting or ending with spaces`);
      if (!Object.values(AdminRoleName).includes(input.role)) throw badInput('role: admin or viewer');
      const expiresAt = input.expiresAt ?? null;
      if (expiresAt !== null && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) throw badInput('expiresAt: must be in the future');
      const now = Date.now();
      const current = (await this.keys.list()).filter((k) => view(k, now).state === ApiKeyState.active);
      if (current.some((k) => k.name === name)) throw badInput(`name: a key named "${name}" is active; revoke it or choose another name`);
      if (current.length >= MAX_ACTIVE_KEYS) throw badInput(`there are ${MAX_ACTIVE_KEYS} active keys; revoke some first`);
      const { secret, hash, prefix } = newKeySecret();
      const key = await this.keys.create({ name, role: input.role, keyHash: hash, prefix, createdBy: actor, expiresAt });
      await this.audit.record({ actor, action: 'createApiKey', target: name, details: { after: { id: key.id, role: key.role, expiresAt: key.expiresAt } } });
      return { apiKey: view(key, Date.now()), secret };
    });
  }

  revoke(actor: string, id: string): Promise<ApiKeyType> {
    return this.changes.run(async () => {
      if (!UUID.test(id)) throw noKey(id);
      const before = await this.keys.findById(id);
      if (before === null) throw noKey(id);
      if (before.revokedAt !== null) throw badInput(`the key "${before.name}" was revoked already`);
      const after = (await this.keys.revoke(id))!;
      this.auth.keyRevoked(id);
      await this.audit.record({ actor, action: 'revokeApiKey', target: before.name, details: { id, role: before.role } });
      return view(after, Date.now());
    });
  }
}

function view(k: ApiKeyEntity, now: number): ApiKeyType {
  const state = k.revokedAt !== null ? ApiKeyState.revoked : k.expiresAt !== null && k.expiresAt.getTime() <= now ? ApiKeyState.expired : ApiKeyState.active;
  return {
    id: k.id,
    name: k.name,
    role: k.role as AdminRoleName,
    prefix: k.prefix,
    state,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
    lastUsedAddress: k.lastUsedAddress,
    useCount: k.useCount,
  };
}
