import type { SSTConfig } from 'sst';
import { Delivery } from './stacks/Delivery.js';

export default {
  config() {
    return { name: 'lumina-deploy', region: process.env.AWS_REGION ?? 'us-east-1' };
  },
  stacks(app) {
    // Every function: Node 22 on Graviton, X-Ray active, bundled as minified ESM with sourcemaps.
    // SST's FunctionProps spells the architecture 'arm_64' (its union is 'arm_64' | 'x86_64').
    app.setDefaultFunctionProps({
      runtime: 'nodejs22.x',
      architecture: 'arm_64',
      tracing: 'active',
      nodejs: { format: 'esm', minify: true, sourcemap: true },
    });
    app.stack(Delivery);
  },
} satisfies SSTConfig;
