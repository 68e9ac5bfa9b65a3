/**
 * AWS Lambda Function URL / API Gateway HTTP API (payload format 2.0) events.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lowerCaseHeaderNames } from './headers';
import type { HttpEvent, HttpResult } from './types';

export function isLambdaV2Event(value: unknown): value is APIGatewayProxyEventV2 {
  const event = value as Partial<APIGatewayProxyEventV2> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    event.version === '2.0' &&
    typeof event.requestContext?.http === 'object'
  );
}

export function fromLambdaEvent(event: APIGatewayProxyEventV2): HttpEvent {
  return {
    ...event,
    rawPath: event.rawPath || '/',
    rawQueryString: event.rawQueryString ?? '',
    rawQueryIsExact: true,
    headers: lowerCaseHeaderNames(event.headers),
    rawBody: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
    platform: 'lambda',
  };
}

export function toLambdaResult(result: HttpResult): HttpResult {
  return { ...result, statusCode: result.statusCode ?? 200, body: result.body ?? '' };
}
