/**
 * The configuration check child of `arbees up` (see config-preflight.ts): reads
 * `{ requests: [{ service, env }] }` on stdin, writes `{ problems: [...] }` on stdout, exits 0.
 */
import { errorMessage } from '../core/errors.js';
import { checkServiceConfigs, type ConfigCheckRequest } from './config-preflight.js';

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += (chunk as Buffer).toString();
  const { requests } = JSON.parse(input) as { requests: ConfigCheckRequest[] };
  const problems = await checkServiceConfigs(requests);
  process.stdout.write(JSON.stringify({ problems }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`config check failed: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
