/**
 * The fc3 properties we use, as zod schemas: fc3 checks its own schema only at debug log level, so a bad value
 * would pass `s deploy` locally and fail in the cloud. Limits from devsapp/fc3 `src/schema.json` and the FC docs.
 * @see ../../../shared/spec/function-compute.md §6–§7
 */
import * as z from 'zod';

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

const httpTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('http'),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    authType: z.enum(['anonymous', 'function', 'jwt']),
    methods: z.array(z.enum(METHODS)).min(1),
    disableURLInternet: z.literal(false),
  }),
});
/** devsapp/fc3 `__tests__/e2e/trigger/other/s.yaml` (oss-events-multipart.md §2). */
const ossTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('oss'),
  invocationRole: z.string().regex(/^acs:ram::\d+:role\/.+$/),
  sourceArn: z.string().regex(/^acs:oss:[a-z0-9-]+:\d+:[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    events: z
      .array(
        z.enum([
          'oss:ObjectCreated:PutObject',
          'oss:ObjectCreated:PostObject',
          'oss:ObjectCreated:CompleteMultipartUpload',
          'oss:ObjectRemoved:DeleteObject',
          'oss:ObjectRemoved:DeleteObjects',
        ]),
      )
      .min(1),
    filter: z.object({ key: z.object({ prefix: z.string().min(1), suffix: z.string() }) }),
  }),
});
const timerTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('timer'),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    cronExpression: z.string().regex(/^(@every \d+[mh]|(\S+ ){5}\S+)$/),
    enable: z.boolean(),
    payload: z.string().optional(),
  }),
});

const fc3Props = z
  .object({
    region: z.string().regex(/^[a-z]+-[a-z0-9-]+$/),
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
    runtime: z.literal('nodejs20'),
    handler: z.literal('index.handler'),
    code: z.string().regex(/^\.\/dist\/[a-z-]+$/),
    memorySize: z.number().int().min(128).max(32768).multipleOf(64),
    cpu: z
      .number()
      .min(0.05)
      .max(16)
      .refine((v) => Math.abs(v * 20 - Math.round(v * 20)) < 1e-9, 'cpu is set in 0.05 steps'),
    diskSize: z.union([z.literal(512), z.literal(10240)]),
    timeout: z.number().int().min(1).max(86400),
    instanceConcurrency: z.number().int().min(1).max(200).optional(),
    concurrencyConfig: z.object({ reservedConcurrency: z.number().int().min(1) }).optional(),
    // fc3 src/schema.json ILifecycleHook; FC runs an initializer for at most 300 s (function-compute.md).
    instanceLifecycleConfig: z
      .strictObject({
        initializer: z.strictObject({
          handler: z.literal('index.initialize'),
          timeout: z.number().int().min(1).max(300),
        }),
      })
      .optional(),
    role: z
      .string()
      .regex(/^acs:ram::\d+:role\/.+$/)
      .optional(),
    environmentVariables: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
          .refine((k) => !k.startsWith('FC_'), 'FC_* is reserved'),
        z.string(),
      )
      .refine((env) => Buffer.byteLength(JSON.stringify(env)) < 4096, 'environment variables exceed 4 KB'),
    triggers: z.array(z.discriminatedUnion('triggerType', [httpTrigger, ossTrigger, timerTrigger])).min(1),
    // FC API PutAsyncInvokeConfigInput: retries [0,8] (default 3), event age [1,604800] s (default 86400).
    // https://www.alibabacloud.com/help/en/functioncompute/api-fc-2023-03-30-struct-putasyncinvokeconfiginput
    asyncInvokeConfig: z
      .object({
        maxAsyncRetryAttempts: z.number().int().min(0).max(8),
        maxAsyncEventAgeInSeconds: z.number().int().min(1).max(604_800),
      })
      .optional(),
  })
  .refine((p) => p.memorySize / 1024 / p.cpu >= 1 - 1e-9 && p.memorySize / 1024 / p.cpu <= 4 + 1e-9, {
    message: 'vCPU : memory GB must be between 1:1 and 1:4',
    path: ['cpu'],
  });

export type Fc3Props = z.infer<typeof fc3Props>;

/** The rendered s.yaml: our three resources, each an fc3 component. */
export const rendered = z.object({
  edition: z.literal('3.0.0'),
  actions: z.object({ 'pre-deploy': z.array(z.object({ run: z.literal('npm run build'), path: z.string() })) }),
  resources: z.object({
    'upload-callback': z.object({ component: z.literal('fc3'), props: fc3Props }),
    'sign-upload': z.object({ component: z.literal('fc3'), props: fc3Props }),
    'upload-event': z.object({ component: z.literal('fc3'), props: fc3Props }),
  }),
});

export type Fc3Spec = z.infer<typeof rendered>;
