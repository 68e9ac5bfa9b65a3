/**
 * The dependency rules of the architecture (docs/architecture.md "Source layout"), checked in CI by `npm run lint`
 * (`depcruise functions shared local bench scripts test`): dependencies point one way, the protocol and the
 * proof are pure, only the platform adapter knows the platforms' event types, only the record store knows its
 * drivers, and nothing outside the tests depends on them.
 * @see https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 */
const IO_MODULES = '^(node:)?(http|https|http2|net|tls|dgram|dns|fs|fs/promises|child_process|cluster|worker_threads)$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: one of the two modules has a job of the other (split it, or move the shared part).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      comment: 'What benchmarks, scripts and the local run share with tests lives in local/fixtures/, not in test/.',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'platform-types-only-in-platform',
      severity: 'error',
      comment: 'Only shared/platform/ knows FC and Lambda event shapes; the rest sees HttpEvent and PlatformContext.',
      from: { pathNot: '^shared/platform/' },
      to: { path: '(^|/)node_modules/@types/aws-lambda/' },
    },
    {
      name: 'pure-protocol-and-proof',
      severity: 'error',
      comment:
        'shared/oss/ (signing, callbacks) and shared/proof/ (tokens, grants, the check) are pure: no I/O module, ' +
        'no driver, no client, no platform, no middleware, no logger.',
      from: { path: '^shared/(oss|proof)/' },
      to: {
        path: [
          IO_MODULES,
          '(^|/)node_modules/(pg|@electric-sql/pglite|@middy/|jose)',
          '^shared/(oss-client|records|reconcile|platform|middleware|log|auth)/',
        ],
      },
    },
    {
      name: 'proof-is-above-oss-protocol-only',
      severity: 'error',
      comment: 'The protocol core does not know our tokens: shared/oss/ imports nothing from shared/proof/.',
      from: { path: '^shared/oss/' },
      to: { path: '^shared/proof/' },
    },
    {
      name: 'drivers-only-in-records',
      severity: 'error',
      comment: 'Only the record store knows SQL drivers (pg, PGlite); everything else sees RecordStore.',
      from: { pathNot: '^(shared/records/|local/fixtures/|test/|bench/|scripts/)' },
      to: { path: '(^|/)node_modules/(pg|@electric-sql/pglite)/' },
    },
    {
      name: 'shared-depends-on-no-function',
      severity: 'error',
      comment: 'shared/ is what the functions are built from: it imports no function, no local run, no script.',
      from: { path: '^shared/' },
      to: { path: '^(functions|local|bench|scripts|test)/' },
    },
    {
      name: 'functions-independent',
      severity: 'error',
      comment: 'Each function is wired on its own from shared/: no function imports another.',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'functions-not-from-local',
      severity: 'error',
      comment: 'The deployed functions never import the local run (local OSS, fixtures, demo page).',
      from: { path: '^functions/' },
      to: { path: '^(local|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^(dist|\\.cache)/' },
  },
};
