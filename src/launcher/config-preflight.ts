/**
 * `arbees up` checks every planned service's configuration before it starts anything, so a bad
 * setting stops it at once, naming the service and the variable, instead of leaving the system
 * half up. The check runs in a short-lived child (config-check-main.ts): loading every service's
 * code costs ~90 MB that the supervisor, which lives as long as the system, should not keep.
 */
import { spawn } from 'node:child_process';
import { errorMessage } from '../core/errors.js';
import { baseConfigSpec } from '../runtime/base-config.js';
import { loadConfig, secretVariables } from '../runtime/config.js';
import { scrubString, secretValues } from '../runtime/logger.js';
import { serviceLoader } from '../services/index.js';

export interface ConfigCheckRequest {
  readonly service: string;
  /** The environment the service would get from `arbees up`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ConfigProblem {
  readonly service: string;
  /** `ARB_CONFIG_INVALID: <VARIABLE> <problem>`, secrets scrubbed. */
  readonly message: string;
}

/** Runs in the check child: each service's spec (base + its own) and its cross-field checks. */
export async function checkServiceConfigs(requests: readonly ConfigCheckRequest[]): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const { service, env } of requests) {
    const def = await serviceLoader(service)();
    const spec = { ...baseConfigSpec, ...(def.configSpec ?? {}) };
    try {
      const config = loadConfig(spec, env);
      def.checkConfig?.(config);
    } catch (err) {
      problems.push({ service, message: scrubString(errorMessage(err), secretValues(secretVariables(spec), env)) });
    }
  }
  return problems;
}

/**
 * Supervisor side: runs the check child with the requests on its stdin (they hold secrets: never
 * in argv) and returns its verdict. Rejects when the child cannot give one (crash, timeout).
 */
export function runConfigPreflight(mainPath: string, requests: readonly ConfigCheckRequest[], timeoutMs: number): Promise<ConfigProblem[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`exited ${signal ?? `with code ${code}`}${err.trim() === '' ? '' : `: ${err.trim().split('\n').at(-1)}`}`);
        resolve((JSON.parse(out) as { problems: ConfigProblem[] }).problems);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.stdin.on('error', () => undefined); // a child that died early: its exit says why
    child.stdin.end(JSON.stringify({ requests }));
  });
}

/** The lines `arbees up` prints for rejected configurations. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.service}: ${p.message.replace(/^ARB_CONFIG_INVALID: /, '')}`).join('\n');
}
