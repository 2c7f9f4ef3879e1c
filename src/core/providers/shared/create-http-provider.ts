import { redactSecrets } from '../../errors/redact-secrets.js';
import { UpstreamConnectionError, UpstreamMalformedError } from '../../errors/upstream-errors.js';
import type {
  Provider,
  ProviderAdapter,
  ProviderCallOptions,
  ProviderCompletion,
  ProviderConfig,
  ProviderStream,
  ResponseHeaders,
} from '../provider.js';
import { abortReasonToError } from './abort-reason-to-error.js';
import { readStreamParts } from './read-stream-parts.js';

/** A 2xx upstream answer, whichever client made the call. */
interface UpstreamResponse {
  status: number;
  headers: ResponseHeaders;
  /** A fetch body (`ReadableStream`) or a transport's byte iterable; absent when fetch gave none. */
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * Builds a {@link Provider} from a protocol adapter: the HTTP call, the error mapping of non-2xx answers and the
 * streaming loop are the same for every provider, so they live here once. The call goes through `config.fetch`,
 * else `config.transport` (the Node gateway's node:http client), else the global fetch.
 */
export function createHttpProvider(adapter: ProviderAdapter, config: ProviderConfig): Provider {
  const baseUrl = (config.baseUrl ?? adapter.defaultBaseUrl).replace(/\/+$/, '');
  const transport = config.fetch ? undefined : config.transport;
  const fetchFunction = config.fetch ?? globalThis.fetch.bind(globalThis);
  const secrets = config.apiKey ? [config.apiKey] : [];

  async function send(options: ProviderCallOptions, stream: boolean): Promise<UpstreamResponse> {
    const upstream = adapter.convertRequest({
      request: options.request,
      model: options.model,
      stream,
      baseUrl,
      apiKey: config.apiKey,
      providerName: config.name,
      continuation: options.continuation,
    });
    const headers = { 'content-type': 'application/json', ...config.headers, ...upstream.headers };
    const body = JSON.stringify(upstream.body);
    let response: UpstreamResponse;
    try {
      response = transport
        ? await transport({ url: upstream.url, headers, body, signal: options.signal })
        : await fetchFunction(upstream.url, { method: 'POST', headers, body, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw abortReasonToError(options.signal.reason);
      throw new UpstreamConnectionError(config.name, error);
    }
    if (response.status < 200 || response.status > 299) {
      let bodyText = '';
      try {
        bodyText = await response.text();
      } catch {
        // A body we cannot read still leaves the status to classify.
      }
      throw adapter.mapError({
        provider: config.name,
        status: response.status,
        headers: response.headers,
        bodyText: redactSecrets(bodyText, secrets),
      });
    }
    return response;
  }

  return {
    name: config.name,
    type: adapter.type,
    async stream(options): Promise<ProviderStream> {
      const response = await send(options, true);
      if (!response.body) throw new UpstreamMalformedError(config.name, 'the streamed response had no body');
      return {
        headers: response.headers,
        parts: readStreamParts(response.body, {
          provider: config.name,
          createStreamParser: adapter.createStreamParser,
          signal: options.signal,
          onMalformedEvent: options.onMalformedEvent
            ? (event, error) => options.onMalformedEvent?.({ provider: config.name, event, error })
            : undefined,
        }),
      };
    },
    async complete(options): Promise<ProviderCompletion> {
      const response = await send(options, false);
      let body: unknown;
      try {
        body = JSON.parse(await response.text());
      } catch (error) {
        if (options.signal?.aborted) throw abortReasonToError(options.signal.reason);
        throw new UpstreamMalformedError(config.name, 'the response body was not JSON', error);
      }
      return { ...adapter.convertResponse(body, config.name), headers: response.headers };
    },
  };
}
