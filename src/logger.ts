import pino, { type Logger } from 'pino';

/**
 * JSON logs; secrets never reach them: query strings (tokens) and signature headers are redacted
 * wherever they appear, and request bodies are never logged at all.
 */
export function createLogger(options: { level: string; pretty?: boolean }): Logger {
  return pino({
    level: options.level,
    base: undefined,
    redact: {
      paths: [
        'token',
        '*.token',
        'secret',
        '*.secret',
        'headers.authorization',
        'headers["x-api-key"]',
        'headers["meeva-signature"]',
        'headers["x-be-signature"]',
        'headers["webhook-signature"]',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty === true
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l' },
          },
        }
      : {}),
  });
}

export type { Logger };
