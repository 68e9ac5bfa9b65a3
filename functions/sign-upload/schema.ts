import * as z from 'zod';

/** 16 KB is far above any honest request (a file name, a type, a size and a few short variables). */
export const MAX_REQUEST_BYTES = 16 * 1024;

export const signRequestSchema = z.strictObject({
  filename: z.string().min(1).max(1024),
  contentType: z
    .string()
    .max(255)
    .regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i, 'must be a MIME type such as image/png, without parameters'),
  size: z.number().int().positive(),
  mode: z.enum(['put', 'post']).default('put'),
  vars: z.record(z.string(), z.string()).optional(),
});

export type SignRequest = z.infer<typeof signRequestSchema>;
