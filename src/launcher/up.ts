/**
 * `arbees up` (what `npm start` runs): the whole system in one terminal. Ctrl-C or SIGTERM stops
 * it cleanly (exit 0); a second Ctrl-C forces (exit 130). A configuration a service rejects
 * stops it (every child stopped) with exit 78, the code the services themselves use for a bad
 * config, unless `--keep-going` (ARBEES_UP_KEEP_GOING=1) was given: then only a configuration
 * every service rejects stops it.
 */
import { errorMessage } from '../core/errors.js';
import { EXIT_BAD_CONFIG } from './managed-child.js';
import { StopRequestedError, Supervisor } from './supervisor.js';
import { supervisorOptionsFromEnv, type SupervisorOptions } from './supervisor-options.js';

const EXIT_FORCED = 130;

/** `arbees up [--keep-going]`: the flag is the same as ARBEES_UP_KEEP_GOING=1. */
export const UP_FLAGS: Readonly<Record<string, readonly [variable: string, value: string]>> = {
  '--keep-going': ['ARBEES_UP_KEEP_GOING', 'true'],
};

function envWithFlags(env: NodeJS.ProcessEnv, args: readonly string[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const arg of args) {
    const flag = UP_FLAGS[arg];
    if (flag === undefined) throw new Error(`unknown option ${JSON.stringify(arg)}; arbees up takes ${Object.keys(UP_FLAGS).join(', ')}`);
    out[flag[0]] = flag[1];
  }
  return out;
}

export async function runUp(env: NodeJS.ProcessEnv = process.env, args: readonly string[] = []): Promise<void> {
  let options: SupervisorOptions;
  try {
    options = supervisorOptionsFromEnv(envWithFlags(env, args), { isTty: process.stdout.isTTY === true });
  } catch (err) {
    process.stderr.write(`arbees up: ${errorMessage(err)}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const supervisor = new Supervisor(options);
  let exitCode = 0;
  let signals = 0;

  const stopAndExit = () => {
    void supervisor
      .stop()
      .catch((err: unknown) => {
        supervisor.say(`stop failed: ${errorMessage(err)}`);
        exitCode ||= 1;
      })
      .then(() => process.exit(exitCode));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      supervisor.say(`${signal}: stopping`);
      stopAndExit();
      return;
    }
    void supervisor.forceStop().finally(() => process.exit(EXIT_FORCED));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  supervisor.on('all-failed', () => {
    supervisor.say('every service failed on its configuration; stopping');
    exitCode = EXIT_BAD_CONFIG;
    stopAndExit();
  });
  supervisor.on('config-failed', (message) => {
    if (exitCode !== 0) return;
    supervisor.say(`${message}\nstopping every service (arbees up --keep-going / ARBEES_UP_KEEP_GOING=1 keeps the others running)`);
    process.stderr.write(`arbees up: ${message}\n`);
    exitCode = EXIT_BAD_CONFIG;
    stopAndExit();
  });

  try {
    await supervisor.start();
  } catch (err) {
    if (err instanceof StopRequestedError || signals > 0) return;
    process.stderr.write(`arbees up: cannot start: ${errorMessage(err)}\n`);
    exitCode = (err as { code?: unknown }).code === 'ARB_CONFIG_INVALID' ? EXIT_BAD_CONFIG : 1;
    stopAndExit();
  }
}
