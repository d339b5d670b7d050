/**
 * Memoises topic routing: a market's topic repeats thousands of times a minute, so parsing it
 * each time is wasted work on the receive path. Bounded, since topics come from the network.
 */
import { routeTopic, type MirrorLimits, type MirrorRoute } from './mirror-rules.js';

export class RouteCache {
  private readonly routes = new Map<string, MirrorRoute>();

  constructor(
    private readonly limits: MirrorLimits,
    private readonly maxEntries = 100_000,
  ) {}

  route(topic: string): MirrorRoute {
    let route = this.routes.get(topic);
    if (route === undefined) {
      route = routeTopic(topic, this.limits);
      if (this.routes.size >= this.maxEntries) this.routes.clear();
      this.routes.set(topic, route);
    }
    return route;
  }
}
