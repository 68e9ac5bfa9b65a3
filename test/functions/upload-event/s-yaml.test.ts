import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The `environmentVariables` names s.yaml gives one function (a text read: the block under its resource). */
function variablesOf(resource: string): Map<string, string> {
  const text = readFileSync('s.yaml', 'utf8');
  const start = text.indexOf(`\n  ${resource}:\n`);
  const rest = text.slice(start + resource.length + 4);
  const end = rest.search(/\n {2}[a-z-]+:\n/);
  const block = rest.slice(0, end === -1 ? undefined : end);
  const vars = block.slice(block.indexOf('environmentVariables:'));
  return new Map([...vars.matchAll(/^ {8}([A-Z0-9_]+): (.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

describe('s.yaml: upload-event', () => {
  it('receives LOG_HASH_SECRET as the other functions do, so its user and key hashes match theirs', () => {
    const event = variablesOf('upload-event');
    expect(event.get('LOG_HASH_SECRET')).toBeDefined();
    expect(event.get('LOG_HASH_SECRET')).toBe(variablesOf('upload-callback').get('LOG_HASH_SECRET'));
    expect(event.get('LOG_HASH_SECRET')).toBe(variablesOf('sign-upload').get('LOG_HASH_SECRET'));
  });

  it('receives PROOFS_SINCE and the signing windows the sweep looks back by', () => {
    const event = variablesOf('upload-event');
    const sign = variablesOf('sign-upload');
    expect(event.get('PROOFS_SINCE')).toBe("${env('PROOFS_SINCE', '')}");
    for (const name of ['UPLOAD_EXPIRES_SECONDS', 'UPLOAD_MULTIPART_EXPIRES_SECONDS'])
      expect(event.get(name)).toBe(sign.get(name));
    expect(event.get('CALLBACK_TOKEN_GRACE_SECONDS')).toBeDefined();
  });
});

describe('s.yaml: all three functions', () => {
  it('receive CALLBACK_TOKEN_PREVIOUS_SECRETS, empty when unset (s preview and deploy must not fail without it)', () => {
    for (const resource of ['upload-callback', 'sign-upload', 'upload-event'])
      expect(variablesOf(resource).get('CALLBACK_TOKEN_PREVIOUS_SECRETS'), resource).toBe(
        "${env('CALLBACK_TOKEN_PREVIOUS_SECRETS', '')}",
      );
  });
});
