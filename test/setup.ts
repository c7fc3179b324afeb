// aws-local-stepfunctions 3 calls Promise.withResolvers, which node 20 lacks.
import '../local/polyfills.js';

// Handlers log through Powertools; keep test output readable (set LUMINA_TEST_LOGS=1 to see them).
if (!process.env.LUMINA_TEST_LOGS) {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
