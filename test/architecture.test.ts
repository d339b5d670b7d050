/**
 * The import graph of src/ against the layering rules of docs/architecture.md ("Folder map and
 * layering rules"). Each rule is a pure function of the graph (or of the parsed files), so the
 * self-tests at the bottom can feed it a synthetic violation and watch it fail: a rule that cannot
 * fail is not a rule.
 *
 * Imports are read with `ts.preProcessFile` (static imports, `export ... from`, `import type`,
 * dynamic `import()` and `require`), relative specifiers are resolved to repo paths
 * (`./x.js` -> `src/.../x.ts`), bare specifiers are kept as package names (`zod`, `node:fs`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Edge {
  /** Repo path of the importing file, e.g. `src/bus/codec.ts`. */
  readonly from: string;
  /** Repo path of the imported file (`src/core/topics.ts`) or the bare specifier (`zod`, `node:fs`). */
  readonly to: string;
}

export interface Violation {
  readonly what: string;
}

// ---------------------------------------------------------------------------------------------
// Reading the tree

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'fixtures') continue;
      out.push(...walk(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

const toRepoPath = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');

function resolveSpecifier(fromAbs: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const target = path.resolve(path.dirname(fromAbs), spec);
  const candidates = [
    target.replace(/\.js$/, '.ts'),
    target,
    `${target}.ts`,
    path.join(target, 'index.ts'),
  ];
  const hit = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  return toRepoPath(hit ?? target.replace(/\.js$/, '.ts'));
}

/** Every `.ts` file under src/ (fixtures excluded), as repo paths. */
function sourceFiles(): string[] {
  return walk(path.join(ROOT, 'src')).map(toRepoPath).sort();
}

function importEdges(files: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const file of files) {
    const abs = path.join(ROOT, file);
    const info = ts.preProcessFile(fs.readFileSync(abs, 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      edges.push({ from: file, to: resolveSpecifier(abs, imported.fileName) });
    }
  }
  return edges;
}

// ---------------------------------------------------------------------------------------------
// The rules

const under = (p: string, dir: string) => p.startsWith(`${dir}/`);
/** Test code: `*.test.ts` and test-support modules named `test-*.ts`. */
export const isTestFile = (p: string) => /\.test\.ts$/.test(p) || /\/test-[^/]+\.ts$/.test(p);
const pair = (e: Edge) => `${e.from} -> ${e.to}`;

/** Only the simulators themselves, the simulator service and the launcher may import src/sim. Tests are not exempt. */
export function noSimInProduction(edges: readonly Edge[]): string[] {
  const allowed = (p: string) => under(p, 'src/sim') || under(p, 'src/services/simulator') || under(p, 'src/launcher');
  return edges.filter((e) => under(e.to, 'src/sim') && !allowed(e.from)).map(pair);
}

/**
 * src/core imports only src/core and zod; its test code may also import vitest and fast-check.
 * No `node:` module at all (core uses none today), no other package.
 */
export function coreIsPure(edges: readonly Edge[]): string[] {
  const PURE_PACKAGES = new Set(['zod']);
  const TEST_PACKAGES = new Set(['vitest', 'fast-check']);
  return edges
    .filter((e) => under(e.from, 'src/core'))
    .filter((e) => {
      if (under(e.to, 'src/core')) return false;
      if (PURE_PACKAGES.has(e.to)) return false;
      // A unit test may use the test tools and the shared test fixtures (test/helpers), never I/O code.
      if (isTestFile(e.from) && (TEST_PACKAGES.has(e.to) || under(e.to, 'test/helpers'))) return false;
      return true;
    })
    .map(pair);
}

/** core, bus and runtime never reach up; bus stands below runtime; venues sit below services and the launcher. */
export function lowerLayersDoNotImportUpper(edges: readonly Edge[]): string[] {
  const UPPER = ['src/services', 'src/launcher', 'src/sim'];
  const bad = (e: Edge): boolean => {
    if (['src/core', 'src/bus', 'src/runtime'].some((d) => under(e.from, d)) && UPPER.some((d) => under(e.to, d))) return true;
    if (under(e.from, 'src/bus') && under(e.to, 'src/runtime')) return true;
    if (under(e.from, 'src/venues') && (under(e.to, 'src/services') || under(e.to, 'src/launcher'))) return true;
    return false;
  };
  return edges.filter(bad).map(pair);
}

/** A service folder never imports another service's folder (nor the services registry); only src/services/index.ts may. */
export function servicesAreIslands(edges: readonly Edge[]): string[] {
  const serviceOf = (p: string): string | null => {
    const m = /^src\/services\/([^/]+)\//.exec(p);
    return m?.[1] ?? null;
  };
  return edges
    .filter((e) => {
      const a = serviceOf(e.from);
      if (a === null) return false;
      if (e.to === 'src/services/index.ts') return true;
      const b = serviceOf(e.to);
      return b !== null && b !== a;
    })
    .map(pair);
}

const VENUE_IDS = new Set(['kalshi', 'poly']);
const VENUE_FOLDERS = ['src/venues/kalshi', 'src/venues/polymarket', 'src/venues/espn'];

function venueLiteral(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return VENUE_IDS.has(node.text) ? node.text : null;
  if (ts.isLiteralTypeNode(node)) return venueLiteral(node.literal);
  if (ts.isParenthesizedExpression(node)) return venueLiteral(node.expression);
  return null;
}

const distinctVenues = (nodes: readonly ts.Node[]) => new Set(nodes.map(venueLiteral).filter((v) => v !== null)).size;

/**
 * Hard-coded venue lists in one file's source: array literals and tuple types holding two venue
 * ids, unions of venue-id literal types (`'kalshi' | 'poly'`, which is `Venue`), calls listing
 * two venue ids as arguments (`fc.constantFrom('kalshi', 'poly')`), and ternaries that branch on
 * a venue id (`v === 'kalshi' ? a : b`) or choose between two (`c ? 'kalshi' : 'poly'`).
 * Returns `file:line <code>` for each hit.
 */
export function venueListsIn(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const hits: string[] = [];
  const report = (node: ts.Node) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const code = node.getText(sf).replace(/\s+/g, ' ');
    hits.push(`${file}:${line} ${code.length > 80 ? `${code.slice(0, 77)}...` : code}`);
  };
  const isList = (node: ts.Node): boolean => {
    if (ts.isArrayLiteralExpression(node)) return distinctVenues(node.elements) >= 2;
    if (ts.isTupleTypeNode(node)) return distinctVenues(node.elements) >= 2;
    if (ts.isUnionTypeNode(node)) return distinctVenues(node.types) >= 2;
    if (ts.isCallExpression(node)) return distinctVenues(node.arguments) >= 2;
    if (ts.isConditionalExpression(node)) {
      const cond = node.condition;
      const comparesVenue =
        ts.isBinaryExpression(cond) &&
        [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(
          cond.operatorToken.kind,
        ) &&
        (venueLiteral(cond.left) !== null || venueLiteral(cond.right) !== null);
      return comparesVenue || distinctVenues([node.whenTrue, node.whenFalse]) >= 2;
    }
    return false;
  };
  const visit = (node: ts.Node): void => {
    // One report per outermost list: `fc.constantFrom<'kalshi' | 'poly'>('kalshi', 'poly')` is one hit.
    if (isList(node)) report(node);
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return hits;
}

/** Venue lists outside the places allowed to know every venue (topics.ts VENUES, the registry, a venue's own folder, the simulators). */
export function oneVenueList(files: ReadonlyMap<string, string>): string[] {
  const exempt = (p: string) =>
    p === 'src/core/topics.ts' || p === 'src/venues/index.ts' || under(p, 'src/sim') || VENUE_FOLDERS.some((d) => under(p, d));
  const out: string[] = [];
  // Parsing is the slow part: only files that quote a venue id can hold a list of them.
  const quotesVenue = /['"`](kalshi|poly)['"`]/;
  for (const [file, text] of files) if (!exempt(file) && quotesVenue.test(text)) out.push(...venueListsIn(file, text));
  return out;
}

/** No link or path reference out of the repository to the shared folder. */
export function noOutsideLinks(docs: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of docs) {
    text.split('\n').forEach((line, i) => {
      if (line.includes('../shared/')) out.push(`${file}:${i + 1} ${line.trim()}`);
    });
  }
  return out;
}

/** Throws a message naming the rule and every offender. */
export function assertRule(rule: string, offenders: readonly string[]): void {
  if (offenders.length === 0) return;
  throw new Error(`architecture rule ${rule} broken by ${offenders.length}:\n  ${offenders.join('\n  ')}`);
}

function markdownDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  const readme = path.join(ROOT, 'README.md');
  docs.set('README.md', fs.readFileSync(readme, 'utf8'));
  const docsDir = path.join(ROOT, 'docs');
  const visit = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.md')) docs.set(toRepoPath(full), fs.readFileSync(full, 'utf8'));
    }
  };
  visit(docsDir);
  return docs;
}

// ---------------------------------------------------------------------------------------------
// The tree as it is

describe('architecture of src/', () => {
  const files = sourceFiles();
  const edges = importEdges(files);

  it('reads a graph worth checking', () => {
    expect(files.length).toBeGreaterThan(100);
    // Dynamic imports are edges too (the services registry loads every service lazily).
    expect(edges).toContainEqual({ from: 'src/services/index.ts', to: 'src/services/game-shard/game-shard.ts' });
    expect(edges).toContainEqual({ from: 'src/core/messages.ts', to: 'zod' });
    // Every relative import resolved to a file that exists.
    const dangling = edges.filter((e) => e.to.startsWith('src/') && !fs.existsSync(path.join(ROOT, e.to))).map(pair);
    expect(dangling).toEqual([]);
  });

  it('no-sim-in-production', () => assertRule('no-sim-in-production', noSimInProduction(edges)));
  it('core-is-pure', () => assertRule('core-is-pure', coreIsPure(edges)));
  it('lower-layers-do-not-import-upper', () => assertRule('lower-layers-do-not-import-upper', lowerLayersDoNotImportUpper(edges)));
  it('services-are-islands', () => assertRule('services-are-islands', servicesAreIslands(edges)));
  it('one-venue-list', () => {
    const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')] as const));
    assertRule('one-venue-list', oneVenueList(texts));
  });
  it('no-outside-links', () => assertRule('no-outside-links', noOutsideLinks(markdownDocs())));
});

// ---------------------------------------------------------------------------------------------
// Each rule fails on a violation

describe('architecture rules fail on violations', () => {
  const failing = (rule: string, offenders: string[]) => () => assertRule(rule, offenders);

  it('no-sim-in-production', () => {
    const edges: Edge[] = [
      { from: 'src/services/game-shard/x.ts', to: 'src/sim/world.ts' },
      { from: 'src/core/foo.test.ts', to: 'src/sim/teams.ts' },
      { from: 'src/launcher/supervisor.ts', to: 'src/sim/sim-endpoints.ts' },
      { from: 'src/services/simulator/simulator.ts', to: 'src/sim/sim-runner.ts' },
      { from: 'src/sim/world.ts', to: 'src/sim/teams.ts' },
    ];
    expect(failing('no-sim-in-production', noSimInProduction(edges))).toThrow(
      'architecture rule no-sim-in-production broken by 2:\n  src/services/game-shard/x.ts -> src/sim/world.ts\n  src/core/foo.test.ts -> src/sim/teams.ts',
    );
  });

  it('core-is-pure', () => {
    const edges: Edge[] = [
      { from: 'src/core/a.ts', to: 'src/core/b.ts' },
      { from: 'src/core/a.ts', to: 'zod' },
      { from: 'src/core/a.test.ts', to: 'vitest' },
      { from: 'src/core/signals/test-books.ts', to: 'fast-check' },
      { from: 'src/core/a.ts', to: 'node:fs' },
      { from: 'src/core/a.ts', to: 'node:crypto' },
      { from: 'src/core/a.ts', to: 'ioredis' },
      { from: 'src/core/a.ts', to: 'vitest' },
      { from: 'src/core/a.ts', to: 'src/runtime/logger.ts' },
      { from: 'src/core/a.test.ts', to: 'test/helpers/signal-books.ts' },
      { from: 'src/core/a.ts', to: 'test/helpers/signal-books.ts' },
    ];
    const offenders = coreIsPure(edges);
    expect(offenders).toEqual([
      'src/core/a.ts -> node:fs',
      'src/core/a.ts -> node:crypto',
      'src/core/a.ts -> ioredis',
      'src/core/a.ts -> vitest',
      'src/core/a.ts -> src/runtime/logger.ts',
      'src/core/a.ts -> test/helpers/signal-books.ts',
    ]);
    expect(failing('core-is-pure', offenders)).toThrow(/core-is-pure broken by 6:\n {2}src\/core\/a.ts -> node:fs/);
  });

  it('lower-layers-do-not-import-upper', () => {
    const edges: Edge[] = [
      { from: 'src/core/a.ts', to: 'src/services/index.ts' },
      { from: 'src/bus/a.ts', to: 'src/launcher/up.ts' },
      { from: 'src/runtime/a.ts', to: 'src/sim/world.ts' },
      { from: 'src/bus/a.ts', to: 'src/runtime/config.ts' },
      { from: 'src/venues/kalshi/feed.ts', to: 'src/services/market-monitor/x.ts' },
      { from: 'src/venues/index.ts', to: 'src/launcher/up.ts' },
      { from: 'src/runtime/a.ts', to: 'src/bus/codec.ts' },
      { from: 'src/venues/kalshi/feed.ts', to: 'src/runtime/config.ts' },
      { from: 'src/services/x/a.ts', to: 'src/venues/index.ts' },
    ];
    const offenders = lowerLayersDoNotImportUpper(edges);
    expect(offenders).toHaveLength(6);
    expect(failing('lower-layers-do-not-import-upper', offenders)).toThrow(
      /lower-layers-do-not-import-upper broken by 6:\n {2}src\/core\/a.ts -> src\/services\/index.ts\n {2}src\/bus\/a.ts -> src\/launcher\/up.ts/,
    );
  });

  it('services-are-islands', () => {
    const edges: Edge[] = [
      { from: 'src/services/game-shard/a.ts', to: 'src/services/orchestrator/b.ts' },
      { from: 'src/services/game-shard/a.ts', to: 'src/services/game-shard/c.ts' },
      { from: 'src/services/index.ts', to: 'src/services/game-shard/game-shard.ts' },
      { from: 'src/services/orchestrator/x.ts', to: 'src/services/index.ts' },
      { from: 'src/services/orchestrator/x.ts', to: 'src/core/topics.ts' },
    ];
    expect(failing('services-are-islands', servicesAreIslands(edges))).toThrow(
      'architecture rule services-are-islands broken by 2:\n  src/services/game-shard/a.ts -> src/services/orchestrator/b.ts\n  src/services/orchestrator/x.ts -> src/services/index.ts',
    );
  });

  it('one-venue-list', () => {
    const bad = [
      "const all = ['kalshi', 'poly'] as const;",
      "const p = venue === 'kalshi' ? 'K' : 'P';",
      "const v = i % 2 === 0 ? 'kalshi' : 'poly';",
      "type V = 'kalshi' | 'poly';",
      "const g = fc.constantFrom('kalshi', 'poly');",
      "type T = ['kalshi', 'poly'];",
    ].join('\n');
    const good = [
      "const one = ['kalshi'];",
      "const m = { venue: 'kalshi', market_id: 'K' };",
      "const x = venue === other ? 1 : 2;",
      "book('kalshi', 'kh'); book('poly', 'ph');",
    ].join('\n');
    const files = new Map([
      ['src/services/x/a.ts', bad],
      ['src/services/x/b.ts', good],
      ['src/core/topics.ts', bad],
      ['src/venues/index.ts', bad],
      ['src/venues/kalshi/feed.ts', bad],
      ['src/sim/world.ts', bad],
    ]);
    const offenders = oneVenueList(files);
    expect(offenders.map((o) => o.split(' ')[0])).toEqual([
      'src/services/x/a.ts:1',
      'src/services/x/a.ts:2',
      'src/services/x/a.ts:3',
      'src/services/x/a.ts:4',
      'src/services/x/a.ts:5',
      'src/services/x/a.ts:6',
    ]);
    expect(failing('one-venue-list', offenders)).toThrow(/one-venue-list broken by 6:\n {2}src\/services\/x\/a.ts:1 \['kalshi', 'poly'\]/);
  });

  it('no-outside-links', () => {
    const docs = new Map([
      ['README.md', 'The map is [`DESIGN.md`](../shared/DESIGN.md).\nSee [architecture](docs/architecture.md).'],
      ['docs/architecture.md', 'Nothing outside.'],
    ]);
    expect(failing('no-outside-links', noOutsideLinks(docs))).toThrow(
      'architecture rule no-outside-links broken by 1:\n  README.md:1 The map is [`DESIGN.md`](../shared/DESIGN.md).',
    );
  });
});
