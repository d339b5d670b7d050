#!/usr/bin/env node
/**
 * The `arbees` command: `arbees up` runs the whole system, `arbees run <service>` one service.
 */
import { errorMessage } from './core/errors.js';
import { runServiceMain } from './runtime/service.js';
import { SERVICES, serviceLoader } from './services/index.js';

const USAGE = `usage:
  arbees up [--keep-going]  start Redis/Postgres if needed and every service (Ctrl-C stops all);
                            a service that rejects its configuration stops it, unless --keep-going
  arbees run <service>      run one service in the foreground
  arbees services           list the services
  arbees status             summary of the running system (services, games, P&L, kill switch)
  arbees ledger status      the durable ledger in Redis and each service's record of it (what was lost)
  arbees ledger confirm [--note T] [--keep-halted]
                            accept the ledger as it is after Redis lost data: halted services rebuild
  arbees ledger restore     put back what the recorder's Postgres holds and Redis lost, then rebuild
  arbees notify test [channel]  send one test alert through each configured channel (webhook,
                            slack, discord, telegram, sms, signal); non-zero exit when one fails
  arbees report [--since T] [--until T] [--format md|html|json] [--out FILE] [--tz ZONE]
                            P&L, funnel, calibration... from the recorded history

services: ${Object.keys(SERVICES).join(', ')}

arbees up reads (all optional):
  ARBEES_SERVICES=zmq_listener,game_shard:2   which services, and how many of each
  ARBEES_DATA_DIR (.data)   Redis AOF, embedded Postgres, run files
  REDIS_URL                 else a Redis on 127.0.0.1:6379, else a private redis-server
  DATABASE_URL              else an embedded Postgres (PGlite) in the data dir
  ARBEES_<SERVICE>__<VAR>   a variable for one service only, e.g. ARBEES_ZMQ_LISTENER__LOG_LEVEL=debug
  ARBEES_LIVE               true: live venues; false: simulators; unset: live only when
                            KALSHI_API_KEY / POLYMARKET_* credentials are set
  ARBEES_SIM_SPEED (10)     simulated seconds per second (1-60); ARBEES_SIM_GAMES (24), ARBEES_SIM_SEED (1)
  ARBEES_SIM_*_PORT         ESPN 7401, KALSHI 7402, GAMMA 7403, CLOB 7404 (0 = any free port)
`;

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'run': {
      if (arg === undefined) throw new Error('arbees run needs a service name\n' + USAGE);
      await runServiceMain(await serviceLoader(arg)());
      return;
    }
    case 'up': {
      const { runUp } = await import('./launcher/up.js');
      await runUp(process.env, argv.slice(1));
      return;
    }
    case 'status': {
      const { runStatus } = await import('./launcher/status-report.js');
      await runStatus();
      return;
    }
    case 'ledger': {
      const { runLedger } = await import('./launcher/ledger-command.js');
      process.exitCode = await runLedger(argv.slice(1));
      return;
    }
    case 'notify': {
      const { runNotifyTest } = await import('./services/notification-service/notify-test-command.js');
      if (arg !== 'test') throw new Error('usage: arbees notify test [channel]');
      process.exitCode = await runNotifyTest(argv[2], process.env, (line) => void process.stdout.write(line + '\n'));
      return;
    }
    case 'report': {
      const { runReport } = await import('./launcher/report-command.js');
      await runReport(argv.slice(1));
      return;
    }
    case 'services':
      process.stdout.write(Object.keys(SERVICES).join('\n') + '\n');
      return;
    default:
      process.stdout.write(USAGE);
      if (command !== undefined && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`arbees: ${errorMessage(err)}\n`);
  process.exit(1);
});
