// HTTP for the adapters: a deadline on every call, and transport failures turned into typed
// ProviderErrors (refused, reset, timeout and 5xx are retryable; 4xx are not).
import { XMLParser } from 'fast-xml-parser';
import { permanent, retryable, type ProviderError } from './port.ts';

export type HttpAnswer = { status: number; headers: Headers; text: string };

export async function httpCall(service: string, url: string, init: RequestInit & { timeoutMs: number }): Promise<HttpAnswer> {
  const { timeoutMs, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(url, { ...rest, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw transportError(service, e, timeoutMs);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 500) throw retryable('PROVIDER_UNAVAILABLE', `${service} answered HTTP ${res.status}; it will be tried again.`);
  if (res.status === 401 || res.status === 403) throw permanent('PROVIDER_AUTH', `${service} refused the portal's credentials (HTTP ${res.status}); check the configured secret.`);
  if (res.status === 404) throw permanent('PROVIDER_NOT_FOUND', `${service} has no API at ${new URL(url).pathname}; check the configured URL.`);
  return { status: res.status, headers: res.headers, text };
}

function transportError(service: string, e: unknown, timeoutMs: number): ProviderError {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return retryable('PROVIDER_TIMEOUT', `${service} did not answer within ${timeoutMs} ms; it will be tried again.`);
  }
  const code = err.cause?.code ?? 'ERROR';
  return retryable('PROVIDER_UNREACHABLE', `${service} could not be reached (${code}); it will be tried again.`);
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['sco', 'principal', 'meeting', 'attendee', 'row', 'invalid', 'recording', 'format'].includes(name) });

export function parseXml(service: string, text: string): Record<string, unknown> {
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch {
    throw retryable('PROVIDER_BAD_ANSWER', `${service} answered something that is not XML.`);
  }
}
