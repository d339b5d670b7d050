/**
 * The dashboard bundle (built by `npm run build` into dist/web), read into memory at start and
 * served by name only: no path from a request ever reaches the file system.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Asset {
  body: Buffer;
  type: string;
}

/** dist/web beside the compiled code (dist/src/services/api -> dist/web), or under the repo when run from source. */
export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '../../..');
  return path.basename(root) === 'dist' ? path.join(root, 'web') : path.join(root, 'dist', 'web');
}

export class StaticAssets {
  readonly #assets = new Map<string, Asset>();

  constructor(readonly dir: string) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return; // not built: the index route says so
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const type = TYPES[path.extname(name)];
      if (type !== undefined && statSync(file).isFile()) this.#assets.set(name, { body: readFileSync(file), type });
    }
  }

  get(name: string): Asset | undefined {
    return this.#assets.get(name);
  }

  get built(): boolean {
    return this.#assets.has('index.html');
  }
}
