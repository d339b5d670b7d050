/**
 * Every service `arbees run <name>` knows, loaded lazily so one service never pays for another's
 * imports. Names follow the seed (snake_case); the folders are kebab-case.
 */
import { ArbeesError } from '../core/errors.js';
import type { ServiceDefinition } from '../runtime/service.js';
import { MONITOR_SERVICES } from '../venues/index.js';

type Loader = () => Promise<ServiceDefinition>;

/** One market monitor per venue of the registry (kalshi_monitor, polymarket_monitor, ...). */
function monitorLoaders(): Record<string, Loader> {
  const entries = Object.entries(MONITOR_SERVICES).map(([service, venue]): [string, Loader] => [
    service,
    async () => (await import('./market-monitor/market-monitor.js')).marketMonitorService(venue),
  ]);
  return Object.fromEntries(entries);
}

export const SERVICES: Readonly<Record<string, Loader>> = Object.freeze({
  zmq_listener: async () => (await import('./zmq-listener/zmq-listener.js')).zmqListener as ServiceDefinition,
  ...monitorLoaders(),
  orchestrator: async () => (await import('./orchestrator/orchestrator.js')).orchestrator as ServiceDefinition,
  demo_publisher: async () => (await import('./simulator/demo-publisher.js')).demoPublisher as ServiceDefinition,
  market_discovery: async () => (await import('./market-discovery/market-discovery.js')).marketDiscovery as ServiceDefinition,
  game_shard: async () => (await import('./game-shard/game-shard.js')).gameShard as ServiceDefinition,
  simulator: async () => (await import('./simulator/simulator.js')).simulator as ServiceDefinition,
  execution_service: async () => (await import('./execution-service/execution-service.js')).executionService as ServiceDefinition,
  position_tracker: async () => (await import('./position-tracker/position-tracker.js')).positionTracker as ServiceDefinition,
  api: async () => (await import('./api/api.js')).api as ServiceDefinition,
  notification_service: async () => (await import('./notification-service/notification-service.js')).notificationService as ServiceDefinition,
  recorder: async () => (await import('./recorder/recorder.js')).recorder as ServiceDefinition,
  analytics_service: async () => (await import('./analytics-service/analytics-service.js')).analyticsService as ServiceDefinition,
});

/** Accepts `zmq_listener` and `zmq-listener` alike. */
export function serviceLoader(name: string): Loader {
  const canonical = name.replace(/-/g, '_');
  const loader = SERVICES[canonical];
  if (loader === undefined) {
    throw new ArbeesError('ARB_SERVICE_UNKNOWN', `unknown service ${JSON.stringify(name)}; known: ${Object.keys(SERVICES).join(', ')}`);
  }
  return loader;
}
