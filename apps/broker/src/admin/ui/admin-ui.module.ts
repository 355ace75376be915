import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AdminUiMiddleware } from './admin-ui.middleware';
import { AdminUiService } from './admin-ui.service';

/** The built admin UI at HTTP_PORT / (see AdminUiMiddleware); the API's paths are left to the API. */
@Module({
  providers: [AdminUiService, AdminUiMiddleware],
  exports: [AdminUiService],
})
export class AdminUiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminUiMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
