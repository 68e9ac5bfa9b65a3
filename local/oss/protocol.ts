/** OSS wire details the local stand-in reproduces: XML errors, request ids, the callback request itself. */
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type CallbackConfig, FORM_BODY_TYPE, renderCallbackBody, signCallbackRequest } from '../../shared/oss';

export const newRequestId = () => randomBytes(12).toString('hex').toUpperCase();

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendXmlError(res: ServerResponse, status: number, code: string, message: string, requestId: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${xmlEscape(message)}</Message>\n  <RequestId>${requestId}</RequestId>\n  <HostId>localhost</HostId>\n</Error>\n`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-oss-request-id': requestId,
  });
  res.end(body);
}

export interface CallbackOutcome {
  status: 200 | 203;
  body: string;
  contentType: string;
}

export interface CallbackSender {
  privateKeyPem: string;
  keyUrl: string;
  bucket: string;
  timeoutMs?: number;
}

/**
 * POSTs the callback as OSS does (oss-callback.md §6–§9): tries each URL in order; 200 with a JSON body is
 * success (the uploader gets that body), anything else ends in 203 CallbackFailed. No retries.
 */
export async function sendCallback(
  config: CallbackConfig,
  values: Record<string, string>,
  sender: CallbackSender,
  requestId: string,
): Promise<CallbackOutcome> {
  const body = Buffer.from(renderCallbackBody(config.callbackBody, config.callbackBodyType, values), 'utf8');
  let failure = 'Error status : -1. OSS can not connect to your callbackUrl, please check it.';
  for (const raw of config.callbackUrl.split(';')) {
    const url = new URL(raw);
    const authorization = signCallbackRequest(url.pathname, url.search.slice(1), body, sender.privateKeyPem);
    try {
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(sender.timeoutMs ?? 5000),
        headers: {
          authorization,
          'content-type': config.callbackBodyType ?? FORM_BODY_TYPE,
          'content-md5': createHash('md5').update(body).digest('base64'),
          date: new Date().toUTCString(),
          'user-agent': 'aliyun-oss-callback',
          'x-oss-bucket': sender.bucket,
          'x-oss-owner': 'local',
          'x-oss-pub-key-url': Buffer.from(sender.keyUrl).toString('base64'),
          'x-oss-request-id': requestId,
          'x-oss-tag': 'CALLBACK',
        },
        body,
      });
      const text = await response.text();
      if (response.status !== 200) {
        failure = `Error status : ${response.status}.`;
        continue;
      }
      try {
        JSON.parse(text);
      } catch {
        return callbackFailed('Response body is not valid json format.');
      }
      return { status: 200, body: text, contentType: response.headers.get('content-type') ?? 'application/json' };
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') failure = 'Cost too long time';
    }
  }
  return callbackFailed(failure);
}

function callbackFailed(message: string): CallbackOutcome {
  return {
    status: 203,
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>CallbackFailed</Code>\n  <Message>${xmlEscape(message)}</Message>\n</Error>\n`,
  };
}
