/**
 * The key of one upload in its route's layout: the user's folder (shared/proof/object-key.ts), the upload id,
 * and what the client's file name may contribute (a sanitised last segment, its extension). The server chooses
 * every key; a file name can never add, climb or rename path segments.
 */
import { safeFileName, userSegment } from '../proof';
import type { KeyLayout } from './layout';

/** A safe name's extension with its dot, lower-case (`.png`), or nothing: at most 10 letters or digits. */
export const extensionOf = (safeName: string) => (/\.[\p{L}\p{N}]{1,10}$/u.exec(safeName)?.[0] ?? '').toLowerCase();

/** Throws the client's 400 (InvalidFilename) for a file name that tries to be a path or holds control characters. */
export function uploadKey(
  layout: KeyLayout,
  prefix: string,
  upload: { user: string; id: string; filename: string; now: Date },
): string {
  const name = safeFileName(upload.filename);
  return layout.render(prefix, {
    user: userSegment(upload.user),
    id: upload.id,
    name,
    ext: extensionOf(name),
    now: upload.now,
  });
}
