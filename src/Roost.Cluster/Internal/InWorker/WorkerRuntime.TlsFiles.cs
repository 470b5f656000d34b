using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Ipc;
using Roost.Tls;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// A worker started with <c>--user</c> (<see cref="WorkerEnvironment.TlsFilesFromPrimary"/>): its TLS files come from
/// the primary over the channel (<see cref="TlsFilesMessage"/>), never from disk. The first message is sent by the
/// primary right after the spawn; the runtime waits for it before the program goes on to build its servers.
/// </summary>
internal sealed partial class WorkerRuntime
{
    /// <summary>How long a starting worker waits for its TLS files (the primary sends them right after the spawn).</summary>
    private static readonly TimeSpan TlsFilesWait = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _tlsFilesArrived = new();

    private void ExpectTlsFilesFromPrimary()
    {
        // Closed by default: until the primary's files arrive, a TLS file read fails instead of touching the disk.
        TlsFileStore.Provide([]);
    }

    private void WaitForTlsFiles()
    {
        if (!_tlsFilesArrived.Wait(TlsFilesWait))
        {
            Log.TlsFilesMissing(_logger, Self.Id, Self.Pid, Self.Generation, (long)TlsFilesWait.TotalSeconds);
        }
    }

    private void OnTlsFiles(TlsFilesMessage message)
    {
        // On the channel's reader thread, before any reload-certificates that follows it (messages are handled in order).
        TlsFileStore.Provide(message.Files.Select(f => (f.Path, f.Data, f.Error)));
        _tlsFilesArrived.Set();
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.TlsFilesMissing, LogLevel.Error, "worker {WorkerId} (pid {Pid}, generation {Generation}) got no TLS files from the primary within {Seconds} s; its TLS servers will fail to load their certificates", EventName = "TlsFilesMissing")]
        public static partial void TlsFilesMissing(ILogger logger, int workerId, int pid, int generation, long seconds);
    }
}
