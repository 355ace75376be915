import { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, Params, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { LogSettings } from './log-settings';

/**
 * Where a request logged by the admin API's access log could carry a credential: bearer tokens and API
 * keys travel in `authorization`. Request bodies (logins) and GraphQL variables are never logged.
 */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'];

/** Probes hit every few seconds: their requests are never in the access log. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/**
 * A pino logger writing to `destination` (stdout by default) in the given format. Writes are synchronous:
 * the broker logs start-up, shutdown, listeners and failures, never per message, and a line written just
 * before `process.exit` must not be lost.
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream | NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level: settings.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (settings.format === 'json') {
    return pino(
      { ...options, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      (destination as DestinationStream | undefined) ?? pino.destination({ fd: 1, sync: true }),
    );
  }
  return pino(
    options,
    pretty({
      sync: true,
      destination: destination ?? 1,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context,req,res,responseTime,reqId',
      messageFormat: prettyMessage,
    }),
  );
}

/** `[Listeners] listening on ...`; an access-log line as `GET /api/v1/clients 200 3ms`. */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  if (req !== undefined && res !== undefined) return `${context}${req.method} ${req.url} ${res.statusCode} ${log.responseTime}ms`;
  return `${context}${String(log[messageKey] ?? '')}`;
}

/** The process's log stream, as Nest's logger and the admin API's request logging (nestjs-pino) use it. */
export interface BrokerLogging {
  settings: LogSettings;
  /** The root pino logger; `root.child({ context })` for lines outside Nest. */
  root: Logger;
  /** For `LoggerModule.forRoot`: request context and the access log (at debug level) on the admin API. */
  params: Params;
  /** Nest's application logger: every `new Logger(context)` in the broker writes through it. */
  nest: LoggerService;
}

let current: BrokerLogging | undefined;

/**
 * The one log stream of this process, created on first use. nestjs-pino keeps one root logger per
 * process, so a second broker in the same process logs to the same stream, and must ask for the same
 * settings: other settings are a mistake, refused rather than silently ignored.
 */
export function brokerLogging(settings: LogSettings): BrokerLogging {
  if (current !== undefined) {
    if (current.settings.level !== settings.level || current.settings.format !== settings.format) {
      throw new Error(`this process already logs at ${current.settings.level} as ${current.settings.format}, not at ${settings.level} as ${settings.format}: one log setup per process`);
    }
    return current;
  }
  const root = createLogger(settings);
  const params: Params = {
    pinoHttp: {
      logger: root,
      useLevel: 'debug',
      quietReqLogger: true,
      autoLogging: { ignore: (req) => PROBES.has((req.url ?? '').split('?')[0]) },
    },
  };
  current = { settings: { ...settings }, root, params, nest: new NestPinoLogger(new PinoLogger(params), params) };
  return current;
}
