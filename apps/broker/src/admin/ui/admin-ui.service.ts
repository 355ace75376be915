import { Inject, Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';

/** Where `npm run build` in apps/admin-ui puts the UI, seen from this file in apps/broker/dist/src/admin/ui. */
export const DEFAULT_ADMIN_UI_DIR = resolve(__dirname, '..', '..', '..', '..', '..', 'admin-ui', 'dist', 'admin-ui', 'browser');

/** The built admin UI on disk: where it is and whether it is there. */
@Injectable()
export class AdminUiService {
  readonly dir: string;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    this.dir = resolve(config.adminUiDir ?? DEFAULT_ADMIN_UI_DIR);
  }

  /** Looked at on every request that needs it, so a UI built while the broker runs is served at once. */
  built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }
}
