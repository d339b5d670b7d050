/** Placeholder replaced by the zmq_listener work. */
import { defineService } from '../../runtime/service.js';

export const zmqListener = defineService({
  name: 'zmq_listener',
  description: 'mirrors every hot topic into the Redis slow track',
  async start() {
    throw new Error('zmq_listener is not built yet');
  },
});
