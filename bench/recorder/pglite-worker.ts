/** The embedded PGlite behind its socket, in its own process (as `arbees up` runs it); reports its URL over IPC. */
import { EmbeddedPostgres } from '../../src/store/embedded-postgres.js';

const pg = await EmbeddedPostgres.start({ dataDir: process.env.BENCH_PG_DATA_DIR ?? 'memory://', maxConnections: 8 });
process.send?.({ url: pg.url });
const stop = () => void pg.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
