// JSON logs in Elastic Common Schema (ECS) so that Elasticsearch/Kibana ingest them as they are.
import { ecsFormat } from '@elastic/ecs-pino-format';
import type { LoggerOptions } from 'pino';

export function loggerOptions(level: string): LoggerOptions {
  return {
    ...ecsFormat({ convertReqRes: true }),
    level,
    base: { service: { name: 'webmeetings' } },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
  } as LoggerOptions;
}
