/**
 * What routes cost sign-upload: the handler with the demo's three routes declared (local/routes.json) against
 * the same handler without a declaration, both signing a 2 KB PNG with one variable as a PUT with an HS256
 * JWT, in one run. With routes, the request names its route, the route's rules are checked, the key follows its
 * layout and the token carries the route (v3). Goal (upload routes issue): no more than 5% slower. Both
 * handlers are built here alike (V8 optimises each handler's closures on its own), and a second handler without
 * routes against the first shows how far two identical handlers differ in the same run: the noise floor.
 */
import { readFileSync } from 'node:fs';
import { createHandler } from '../functions/sign-upload/handler';
import { signRoutes } from '../functions/sign-upload/routes-config';
import { createAuthenticator } from '../shared/auth';
import { fmt, goal, paired, type Row } from './harness';
import { signRequest } from './sign-events';
import { hs256Config, type SignFixture, signAnswer, signDeps } from './sign-fixture';

/** The speed of the routed handler over the unrouted one's: at least this. */
const GOAL = 0.95;

export async function routesRows(f: SignFixture, ops: number, rounds: number): Promise<Row[]> {
  const declaration = JSON.parse(readFileSync('local/routes.json', 'utf8'));
  const deps = signDeps(createAuthenticator(hs256Config(), f.clock));
  const routed = createHandler({ ...deps, routes: signRoutes(deps.config, declaration) });
  const plain = createHandler({ ...deps });
  const twin = createHandler({ ...deps });
  const event = signRequest('put', f.token, 'documents');
  const answer = await signAnswer(routed, event, 'the routed handler');
  if (answer.route !== 'documents' || !answer.key.includes('/documents/'))
    throw new Error(`the routed handler signed ${answer.route} at ${answer.key}`);
  const unrouted = signRequest('put', f.token);
  const m = await paired(
    () => routed(event),
    () => plain(unrouted),
    ops,
    rounds,
  );
  const floor = await paired(
    () => twin(unrouted),
    () => plain(unrouted),
    ops,
    rounds,
  );
  return [
    [
      'sign',
      'handler PUT, HS256 JWT, three routes declared (documents) vs no routes declared',
      `${fmt(m.a.opsPerSec)}/s`,
      `${fmt(m.times, 3)}x without routes (${fmt(m.b.opsPerSec)}/s) · ${goal(m.times, '≥', GOAL)}`,
    ],
    [
      'sign',
      'the same, two handlers without routes (the noise floor of the row above)',
      `${fmt(floor.a.opsPerSec)}/s`,
      `${fmt(floor.times, 3)}x the other (${fmt(floor.b.opsPerSec)}/s)`,
    ],
  ];
}
