/**
 * What FC and Lambda call an invocation and its function, as the log keys of Powertools for AWS Lambda name
 * them (`cold_start`, `function_name`, `function_request_id`), and the instance's logger that carries them.
 * FC: `context.requestId`, else the `x-fc-request-id` header; `context.function.name`, else FC_FUNCTION_NAME.
 * Lambda: `context.awsRequestId` and `context.functionName` (AWS_LAMBDA_FUNCTION_NAME in the environment).
 * @see https://help.aliyun.com/en/functioncompute/context-1-1 and
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
import type { Logger } from '../log';
import type { PlatformContext } from './types';

/** The function's name in the environment (FC, then Lambda), else `fallbackName`. Constant per instance. */
export const environmentName = (fallbackName: string): string =>
  process.env.FC_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? fallbackName;

/** `function_name`: the context's, else `fallbackName` (see environmentName). */
export const functionName = (context: PlatformContext, fallbackName: string): string =>
  context.functionName ?? context.function?.name ?? fallbackName;

/** `function_request_id`. */
export const requestId = (context: PlatformContext, headers: Record<string, string | undefined>): string =>
  context.awsRequestId ?? context.requestId ?? headers['x-fc-request-id'] ?? '';

/**
 * The instance's logger, `logger.child({ cold_start, function_name })`, made once per instance (again after
 * the cold start, or if the platform names the function differently). The first invocation an instance
 * serves is its cold start. The environment is read once: a process.env read is a native interceptor, which
 * per request was a tenth of a log line's cost. A request's logger is `instance.child({ function_request_id })`.
 */
export function instanceLoggers(logger: Logger, fallbackName: string): (context: PlatformContext) => Logger {
  const environment = environmentName(fallbackName);
  let coldStart = true;
  let named: { name: string; coldStart: boolean; logger: Logger } | undefined;
  return (context) => {
    const name = functionName(context, environment);
    if (named?.name !== name || named.coldStart !== coldStart) {
      named = { name, coldStart, logger: logger.child({ cold_start: coldStart, function_name: name }) };
    }
    coldStart = false;
    return named.logger;
  };
}
