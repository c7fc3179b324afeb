// aws-local-stepfunctions 3 calls Promise.withResolvers, which node 20 lacks.
import '../local/polyfills.js';
