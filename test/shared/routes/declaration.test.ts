/**
 * The routes declaration refuses bad routes with one clear line each, naming the route and field: at load (the
 * schema and the rules across routes, shared/routes) and, for what depends on sign-upload's settings (the
 * worst-case callback, the longest key), when sign-upload loads them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSignConfig } from '../../../functions/sign-upload/config';
import { signRoutes } from '../../../functions/sign-upload/routes-config';
import { signEnv } from '../../../local/fixtures/sign';
import { parseRoutes, RoutesError, routeTable } from '../../../shared/routes';

const avatar = { types: ['image/png'], maxBytes: 2_097_152, key: 'avatars/{user}/{id}{ext}' };

/** The problem lines of a declaration (none: it loads). */
function problems(routes: Record<string, unknown>): string[] {
  try {
    parseRoutes({ routes });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(RoutesError);
    return (error as RoutesError).problems;
  }
}

describe('the routes declaration', () => {
  it('loads the demo declaration (local/routes.json) and a minimal route', () => {
    expect(problems(JSON.parse(readFileSync('local/routes.json', 'utf8')).routes)).toEqual([]);
    expect(problems({ avatar })).toEqual([]);
  });

  it.each([
    ['an unknown field', { ...avatar, maxSize: 10 }, 'routes.avatar: unknown field maxSize'],
    [
      'a layout without {user}',
      { ...avatar, key: 'avatars/{id}{ext}' },
      'routes.avatar.key: must contain {user} as a whole path segment (each user their own folder)',
    ],
    [
      'a layout without the id',
      { ...avatar, key: 'avatars/{user}/{name}' },
      'routes.avatar.key: must begin its last segment with {id} (every key names its upload)',
    ],
    [
      'a layout that climbs',
      { ...avatar, key: 'avatars/../{user}/{id}' },
      'routes.avatar.key: must not contain . or .. segments',
    ],
    [
      'a size over what multipart can store (10,000 parts of 5 GiB)',
      { ...avatar, maxBytes: 10_000 * 5 * 1024 ** 3 + 1 },
      'routes.avatar.maxBytes: Too big: expected number to be <=53687091200000',
    ],
    [
      'a size over 5 GiB without multipart',
      { ...avatar, maxBytes: 6 * 1024 ** 3, uploads: ['put'] },
      'routes.avatar.maxBytes: is over 5 GiB, which only a multipart upload can store: add multipart to uploads',
    ],
    [
      'a part over OSS’s 5 GiB',
      { ...avatar, multipart: { partBytes: 5 * 1024 ** 3 + 1 } },
      'routes.avatar.multipart.partBytes: Too big: expected number to be <=5368709120',
    ],
    [
      'a part under OSS’s 100 KB',
      { ...avatar, multipart: { partBytes: 1024 } },
      'routes.avatar.multipart.partBytes: Too small: expected number to be >=102400',
    ],
    [
      'an expiry over V4’s 7 days',
      { ...avatar, expiresSeconds: 604_801 },
      'routes.avatar.expiresSeconds: Too big: expected number to be <=604800',
    ],
    [
      'image limits on files OSS cannot measure (over 20 MB)',
      { ...avatar, maxBytes: 30_000_000, image: { maxWidth: 100 } },
      'routes.avatar.maxBytes: must be at most 20000000 bytes with image limits (OSS reads the size of images up to 20 MB)',
    ],
    [
      'a minimum over the maximum',
      { ...avatar, minBytes: 3_000_000 },
      'routes.avatar.minBytes: must not be over maxBytes',
    ],
    [
      'a type that is not a pattern',
      { ...avatar, types: ['png'] },
      'routes.avatar.types.0: must be type/subtype patterns such as image/*',
    ],
  ])('refuses %s with one line naming the route and field', (_name, route, line) => {
    expect(problems({ avatar: route })).toEqual([line]);
  });

  it('refuses a bad route name, two defaults, and routes whose folders overlap', () => {
    expect(problems({ Avatar: avatar })).toEqual(['routes.Avatar: must be a route name like avatar']);
    expect(
      problems({
        avatar: { ...avatar, default: true },
        documents: { ...avatar, key: 'documents/{user}/{id}', default: true },
      }),
    ).toEqual(['routes: avatar, documents are marked default; at most one route may be']);
    expect(problems({ avatar, small: { ...avatar, key: 'avatars/small/{user}/{id}' } })).toEqual([
      "routes.small.key: its folder avatars/small/ is inside route avatar's folder avatars/",
    ]);
    expect(problems({ avatar, all: { ...avatar, key: '{user}/{id}' } })).toEqual([
      'routes.all.key: must begin with a folder of its own (e.g. all/{user}/…) when several routes are declared',
    ]);
  });

  it('says every problem of a declaration at once, one per line, in the error message', () => {
    expect(() => parseRoutes({ routes: { a: { ...avatar, extra: 1, key: '{id}' } } })).toThrow(
      /^Invalid routes declaration:\n {2}routes\.a\.key: .*\n {2}routes\.a: unknown field extra$/s,
    );
  });

  it('refuses a route whose worst-case callback is over OSS’s 5 KB, when sign-upload loads it', () => {
    const config = loadSignConfig(signEnv());
    const vars = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => [n, 512]));
    expect(() =>
      signRoutes(config, { routes: { avatar, notes: { ...avatar, key: 'notes/{user}/{id}', vars } } }),
    ).toThrow(
      /^Invalid routes declaration:\n {2}routes\.notes\.vars: with every variable at its longest, a 255-byte user and content type, the callback can reach \d+ bytes of Base64, over OSS's 5120-byte limit/,
    );
    // The same variables at a tenth of the length fit.
    const short = Object.fromEntries(Object.keys(vars).map((n) => [n, 51]));
    expect(() => signRoutes(config, { routes: { notes: { ...avatar, vars: short } } })).not.toThrow();
  });

  it('refuses a route whose longest key is over OSS’s 1023 bytes under UPLOAD_PREFIX', () => {
    const config = loadSignConfig(signEnv({ UPLOAD_PREFIX: `${'p'.repeat(400)}/` }));
    const long = { ...avatar, key: `${'f'.repeat(200)}/{user}/{yyyy}/{mm}/{dd}/{id}-{name}` };
    expect(() => signRoutes(config, { routes: { long } })).toThrow(
      /routes\.long\.key: under UPLOAD_PREFIX a key can reach \d+ bytes, over OSS's 1023/,
    );
    expect(() => signRoutes(config, { routes: { avatar } })).not.toThrow();
  });

  it('without a declaration, has the one route of the UPLOAD_* settings, as before routes', () => {
    const config = loadSignConfig(signEnv());
    const table = routeTable(undefined, config);
    expect(table.declared).toBe(false);
    const pick = table.pick(undefined);
    expect('route' in pick && pick.route).toMatchObject({
      name: 'default',
      maxBytes: config.UPLOAD_MAX_BYTES,
      types: config.UPLOAD_ALLOWED_TYPES,
      bound: false,
    });
    expect(table.pick('avatar')).toEqual({ error: 'unknown-route', names: ['default'] });
  });

  it('with a declaration, a request naming no route gets the default route, or is told to name one', () => {
    const config = loadSignConfig(signEnv());
    const withDefault = routeTable(
      { routes: { avatar, docs: { ...avatar, key: 'docs/{user}/{id}', default: true } } },
      config,
    );
    const pick = withDefault.pick(undefined);
    expect('route' in pick && pick.route.name).toBe('docs');
    expect(routeTable({ routes: { avatar } }, config).pick(undefined)).toEqual({
      error: 'route-required',
      names: ['avatar'],
    });
  });
});
