/**
 * Creates a new embedded database (PGlite's initdb) in a process of its own, then exits. Run by
 * EmbeddedPostgres.start on a data dir without one: initdb runs in a second WASM instance that,
 * once closed, V8 keeps resident for a long time (~450 MB), so the long-lived server process
 * never runs it itself. Usage: node embedded-postgres-init-main.js <data dir>
 */
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (dataDir === undefined || dataDir === '') {
  process.stderr.write('usage: embedded-postgres-init-main <data dir>\n');
  process.exit(2);
}
const db = await PGlite.create({ dataDir });
await db.close();
