/** The recorder service as its own process for the benchmark (same code as `arbees run recorder`). */
import { runServiceMain } from '../../src/runtime/service.js';
import { recorder } from '../../src/services/recorder/recorder.js';

await runServiceMain(recorder);
