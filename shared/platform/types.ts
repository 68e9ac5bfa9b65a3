import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '../log';

/** The context middy types its middlewares with (Lambda's; FC's is mapped onto it by shared/middleware/chain.ts). */
export type LambdaContext = Context;

export type Platform = 'fc' | 'lambda';

/** The one request shape handlers see: an API Gateway v2 event with lower-case headers and the raw body. */
export interface HttpEvent extends APIGatewayProxyEventV2 {
  /** Exact request body bytes, captured before any parser runs (the OSS callback signature covers them). */
  rawBody: Buffer;
  platform: Platform;
  /**
   * False on FC: its trigger hands over a parsed `queryParameters` map only, so `rawQueryString` is rebuilt
   * for routing and must never be fed to a signature check.
   */
  rawQueryIsExact: boolean;
}

export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers?: Record<string, string> };

/** Temporary credentials FC puts on the context when the function has a role (`{}` without one). */
export interface PlatformCredentials {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

export interface PlatformContext {
  /** Lambda. */
  awsRequestId?: string;
  functionName?: string;
  /** FC. */
  requestId?: string;
  function?: { name?: string };
  credentials?: PlatformCredentials;
  /** Fields a handler adds to its request's single log line. */
  logFields?: Record<string, unknown>;
  /** The request's logger, set by the chain (shared/middleware/chain.ts). */
  logger?: Logger;
}

export type HttpHandler = (event: HttpEvent, context: PlatformContext) => Promise<HttpResult>;
