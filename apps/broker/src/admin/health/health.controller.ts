import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../../database/database.module';
import { ListenersService } from '../../transport/listeners.service';
import { Public } from '../auth/admin-principal';

/** How long /ready waits for the database before it says it is not ready. */
const DATABASE_CHECK_MS = 2000;

/** Liveness and readiness for orchestrators and load balancers: open, no token; not part of the REST API's document. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly listeners: ListenersService,
  ) {}

  /** The process answers. */
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  /** The database answers and an MQTT listener accepts connections: 200, else 503 with what is missing. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: ServerResponse): Promise<{ status: string; database: string; listeners: number }> {
    const database = await this.checkDatabase();
    const listeners = this.listeners.enabledCount;
    const ready = database === 'ok' && listeners > 0;
    response.statusCode = ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    return { status: ready ? 'ready' : 'not ready', database, listeners };
  }

  private async checkDatabase(): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${DATABASE_CHECK_MS} ms`), DATABASE_CHECK_MS)));
    try {
      return await Promise.race([this.dataSource.query('SELECT 1').then(() => 'ok', () => 'unreachable'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
