using Microsoft.Extensions.Logging;

namespace Roost.StartupHook.Internal;

/// <summary>The startup hook's log lines (ids in <see cref="RunEventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(RunEventIds.RunConfigurationEndpointsIgnored, LogLevel.Warning, "roost run: Kestrel endpoints from the app's configuration ({Endpoints}) are not bound; the worker serves only the port Roost's primary owns. Remove Kestrel:Endpoints or use roost run --port/--host.", EventName = "RunConfigurationEndpointsIgnored")]
    public static partial void ConfigurationEndpointsIgnored(ILogger logger, string endpoints);

    [LoggerMessage(RunEventIds.RunUrlsIgnored, LogLevel.Warning, "roost run: URLs from the app's configuration ({Urls}) are ignored; the worker serves only the port Roost's primary owns (roost run --port/--host).", EventName = "RunUrlsIgnored")]
    public static partial void UrlsIgnored(ILogger logger, string urls);

    [LoggerMessage(RunEventIds.RunWorkerServing, LogLevel.Information, "roost run: worker {WorkerId} (pid {Pid}, generation {Generation}) serves {EndPoints} (h2, http/1.1 over TLS)", EventName = "RunWorkerServing")]
    public static partial void WorkerServing(ILogger logger, int workerId, int pid, int generation, string endPoints);
}
