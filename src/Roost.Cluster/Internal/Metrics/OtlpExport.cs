using System.Diagnostics.Metrics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// OTLP export (<see cref="ClusterOptions.OtlpEndpoint"/>, <c>--otlp</c>) with the OpenTelemetry SDK: every worker
/// exports its own meters (ASP.NET Core's, Kestrel's, the runtime's, Roost's) as its own service instance, and the
/// primary exports the supervision counters. A collector then sees one <c>service.instance.id</c> per process.
/// </summary>
/// <remarks>
/// Port 4317 means OTLP/gRPC, anything else OTLP/HTTP (protobuf), where an endpoint without a path gets the signal's
/// <c>/v1/metrics</c>. The SDK reads the usual <c>OTEL_*</c> variables too (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, default
/// 60 s; <c>OTEL_EXPORTER_OTLP_HEADERS</c>; <c>OTEL_RESOURCE_ATTRIBUTES</c>; <c>OTEL_SERVICE_NAME</c> wins over Roost's name).
/// </remarks>
internal static class OtlpExport
{
    /// <summary>The meter of Roost's own instruments in a worker.</summary>
    public const string WorkerMeterName = "Roost.Worker";

    /// <summary>The meter of the supervisor's instruments in the primary.</summary>
    public const string ClusterMeterName = "Roost.Cluster";

    // What a worker exports: ASP.NET Core's and Kestrel's meters (the semantic conventions' http.server.* and
    // kestrel.*), the runtime's (dotnet.*), outgoing HTTP and DNS, and Roost's.
    private static readonly string[] WorkerMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication", "Microsoft.AspNetCore.Authorization", "System.Runtime", "System.Net.Http",
        "System.Net.NameResolution", WorkerMeterName,
    ];

    /// <summary>Starts exporting this worker's meters; the returned provider flushes and stops when disposed.</summary>
    public static MeterProvider StartInWorker(Uri endpoint, string serviceName, string instanceId, int workerId, int generation, Func<long>? requestsDrained)
    {
        var meter = new Meter(WorkerMeterName);
        if (requestsDrained is not null)
        {
            meter.CreateObservableCounter("roost.worker.requests_drained", requestsDrained, "{request}", "Requests finished after the worker began to drain (reload, recycle, scale down, stop).");
        }

        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => Describe(r, serviceName, instanceId)
                .AddAttributes([new("roost.worker.id", workerId), new("roost.worker.generation", generation), new("process.pid", Environment.ProcessId)]))
            .AddMeter(WorkerMeters)
            .AddOtlpExporter(o => Configure(o, endpoint))
            .Build();
    }

    /// <summary>Starts exporting the primary's supervision counters.</summary>
    public static MeterProvider StartInPrimary(Uri endpoint, string serviceName, string instanceId, SupervisionLog log)
    {
        var meter = new Meter(ClusterMeterName);
        meter.CreateObservableCounter("roost.cluster.worker.starts", () => log.Counts().WorkerStarts, "{process}", "Worker processes started (hot spares included).");
        meter.CreateObservableCounter("roost.cluster.worker.exits", () => Exits(log.Counts()), "{process}", "Worker exits by cause: asked (reload, recycle, scale, stop) or unexpected (crash, kill, missed heartbeats).");
        meter.CreateObservableCounter("roost.cluster.heartbeat_kills", () => log.Counts().HeartbeatKills, "{process}", "Workers killed for missing heartbeats.");
        meter.CreateObservableCounter("roost.cluster.respawns", () => log.Counts().Respawns, "{process}", "Crashed workers replaced.");
        meter.CreateObservableCounter("roost.cluster.reloads", () => Reloads(log.Counts()), "{reload}", "Rolling reloads by outcome.");
        meter.CreateObservableCounter("roost.cluster.recycles", () => log.Counts().Recycles, "{process}", "Workers recycled (max requests, memory or age).");
        meter.CreateObservableCounter("roost.cluster.certificate_reloads", () => log.Counts().CertificateReloads, "{reload}", "Certificate reloads in the workers.");
        meter.CreateObservableCounter("roost.cluster.scales", () => log.Counts().Scales, "{operation}", "Scale operations completed.");
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => Describe(r, serviceName, instanceId).AddAttributes([new("process.pid", Environment.ProcessId)]))
            .AddMeter(ClusterMeterName)
            .AddOtlpExporter(o => Configure(o, endpoint))
            .Build();
    }

    /// <summary>The service instance id of a process of the instance: host, primary pid, and <c>primary</c> or <c>worker-ID</c>.</summary>
    public static string InstanceId(int primaryPid, string process) =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{primaryPid}/{process}");

    private static ResourceBuilder Describe(ResourceBuilder resource, string serviceName, string instanceId)
    {
        // OTEL_SERVICE_NAME, when set, names the service (the SDK reads it); otherwise the instance's name does.
        var name = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } configured ? configured : serviceName;
        return resource.AddService(name, serviceInstanceId: instanceId, autoGenerateServiceInstanceId: false);
    }

    private static void Configure(OtlpExporterOptions options, Uri endpoint)
    {
        if (endpoint.Port == 4317)
        {
            options.Protocol = OtlpExportProtocol.Grpc;
            options.Endpoint = endpoint;
            return;
        }

        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        // Given in code, the endpoint is used as is: an endpoint without a path gets the metrics signal's path.
        options.Endpoint = endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, "v1/metrics") : endpoint;
    }

    private static IEnumerable<Measurement<long>> Exits(SupervisionCounts counts) =>
    [
        new(counts.WorkerExits, new KeyValuePair<string, object?>("roost.exit.cause", "asked")),
        new(counts.WorkerCrashes, new KeyValuePair<string, object?>("roost.exit.cause", "unexpected")),
    ];

    private static IEnumerable<Measurement<long>> Reloads(SupervisionCounts counts) =>
    [
        new(counts.Reloads, new KeyValuePair<string, object?>("roost.reload.outcome", "completed")),
        new(counts.ReloadsAborted, new KeyValuePair<string, object?>("roost.reload.outcome", "aborted")),
    ];
}
