import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../admin/auth/admin-principal';
import { PrometheusMetrics } from './prometheus-metrics';

/** Prometheus scrapes this, with no token: it holds counts, never names, topics or payloads. Not part of the REST API's document. */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(@Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
