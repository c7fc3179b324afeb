/** Public surface of the webhook ingestion core (see README.md in this folder). */
export { ingestWebhook, MAX_BODY_BYTES } from './ingest.js';
export type { ErrorBody, IngestBody, IngestErrorCode, IngestRequest, IngestResult, IngestStatus } from './ingest.js';
export {
  DEFAULT_REPLAY_WINDOW_SECONDS,
  SIGNATURE_HEADERS,
  safeEqual,
  signGeneric,
  verifyCircleCI,
  verifyGeneric,
  verifyGitHub,
  verifyGitLab,
  verifyJenkins,
  verifyWebhook,
} from './verify.js';
export type { VerifyResult } from './verify.js';
export { normalizeHeaders } from './shared.js';
export type { DeployRule, HeaderMap, RawHeaders, ServiceMap, WebhookOptions } from './shared.js';
export { GenericWebhook } from './generic.js';
export { toUtcIso } from './time.js';
