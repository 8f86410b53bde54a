import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import type { OtlpProtocol, TracesConfig } from './config.js';

/**
 * OpenTelemetry's Node SDK, started by an entry point when an OTLP endpoint is set and only then:
 * this module is imported dynamically, before the rest of the process, so that with tracing off
 * nothing of the SDK is even loaded. Everything else speaks OpenTelemetry's API (core/tracing.ts).
 */

/** Spans not sent by then are dropped: a collector away must not hold the process's stop. */
const CLOSE_DEADLINE_MS = 3_000;

export interface TracingOptions {
  /** service.name unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  /** Incoming HTTP requests to these paths get a span of their own (the API's /graphql); none by default. */
  httpPaths?: readonly string[];
}

export interface Tracing {
  /** Sends the spans still buffered, then stops. */
  close(): Promise<void>;
}

/** Each exporter reads its endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* itself. */
function exporterFor(protocol: OtlpProtocol) {
  switch (protocol) {
    case 'http/json':
      return new JsonExporter();
    case 'http/protobuf':
      return new ProtobufExporter();
    case 'grpc':
      return new GrpcExporter();
  }
}

export function startTracing({ protocol }: TracesConfig, { serviceName, httpPaths = [] }: TracingOptions): Tracing {
  const traced = new Set(httpPaths);
  const pathOf = (url: string | undefined) => (url ?? '').split('?', 1)[0]!;
  const sdk = new NodeSDK({
    // Below what the SDK detects from the environment, which so wins.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    traceExporter: exporterFor(protocol),
    instrumentations: traced.size
      ? [
          new HttpInstrumentation({
            ignoreIncomingRequestHook: (request) => !traced.has(pathOf(request.url)),
            // Named by its route (the conventions' `POST /graphql`), which no framework here sets.
            requestHook(span, request) {
              if (!('url' in request)) return;
              span.setAttribute('http.route', pathOf(request.url));
              span.updateName(`${request.method} ${pathOf(request.url)}`);
            },
            disableOutgoingRequestInstrumentation: true,
          }),
        ]
      : [],
    // Traces only: the metrics are Prometheus' (/metrics), the logs pino's, which carry the trace ids.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // instrumentation-http patches node:http when it is required (require-in-the-middle). This
  // process imports it as an ES module, which only a loader hook would let it see; requiring it
  // once here patches the module both share, its Server.prototype.emit included, where incoming
  // requests are traced.
  if (traced.size) createRequire(import.meta.url)('node:http');

  let closing: Promise<void> | null = null;
  return {
    close() {
      // A collector that cannot be reached loses the last spans; the process stops all the same.
      closing ??= Promise.race([sdk.shutdown(), sleep(CLOSE_DEADLINE_MS, undefined, { ref: false })]).catch(
        () => undefined,
      );
      return closing;
    },
  };
}
