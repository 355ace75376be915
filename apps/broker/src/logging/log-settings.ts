/** The logging settings (LOG_LEVEL, LOG_FORMAT), without the logger: the configuration reads them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
/** `json`: one JSON object a line, for log collectors (the Docker image's default); `pretty`: lines for people. */
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/** The settings LOG_LEVEL and LOG_FORMAT ask for, or the defaults where they are not valid: for reporting a configuration error. */
export function lenientLogSettings(env: Record<string, string | undefined>): LogSettings {
  const level = env.LOG_LEVEL?.trim().toLowerCase();
  const format = env.LOG_FORMAT?.trim().toLowerCase();
  return {
    level: (LOG_LEVELS as readonly string[]).includes(level ?? '') ? (level as LogLevel) : 'info',
    format: (LOG_FORMATS as readonly string[]).includes(format ?? '') ? (format as LogFormat) : 'pretty',
  };
}
