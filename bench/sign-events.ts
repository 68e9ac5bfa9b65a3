/**
 * sign-upload's benchmark request, as an FC event (a Buffer of JSON): a 2 KB PNG with one custom variable, PUT
 * or POST form. Shared by the in-process rows and the child of `--compare` (bench/bundle-pair.ts), which sends
 * the same requests to built bundles.
 */
import { fcEvent } from '../local/fixtures/events';

export const signRequest = (mode: string, token?: string, route?: string) =>
  fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      filename: 'photo.png',
      contentType: 'image/png',
      size: 2048,
      mode,
      vars: { album: 'a1' },
      ...(route ? { route } : {}),
    }),
  });
