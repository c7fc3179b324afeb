import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One Logger, Metrics and Tracer for every handler (Powertools' recommended layout). */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'lumina';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Lumina' });
export const tracer = new Tracer({ serviceName });
