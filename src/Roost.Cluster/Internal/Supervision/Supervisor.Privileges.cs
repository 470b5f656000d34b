using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Privileges;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Workers started as another user (<see cref="ClusterOptions.WorkerUser"/>, <c>--user</c>): the start info asks .NET's
/// process start for setgroups/setgid/setuid between fork and exec (no helper program, no window in which the worker
/// runs as root), and the primary sends each worker its TLS files (<see cref="ClusterOptions.WorkerTlsFiles"/>) right
/// after the spawn, again before each certificate reload, and when the files are renewed.
/// </summary>
internal sealed partial class Supervisor
{
    private void ApplyWorkerUser(ProcessStartInfo info)
    {
        if (_options.WorkerTlsFiles is not null)
        {
            info.Environment[WorkerEnvironment.TlsFilesFromPrimary] = "1";
        }

        if (_options.WorkerUser is not { } user)
        {
            return;
        }

        if (user.GroupGiven)
        {
            // Another group than the user's own (--group): .NET's process start would take the user's; setpriv sets
            // the groups, the gid and the uid, then execs the worker (same pid). Found at setup (WithGroup); if it has
            // gone since, the start fails rather than falling back to the user's group.
            Setpriv.Wrap(info, Setpriv.Find() ?? Setpriv.ProgramName, user.Uid, user.Gid, user.Groups);
        }
        else
        {
            // .NET's Unix process start resolves the name (getpwnam_r), then in the child, before exec: setgroups(the
            // user's groups, getgrouplist), setgid(its primary group), setuid(uid). The new program starts unprivileged.
            info.UserName = user.Name;
        }

        info.Environment["HOME"] = user.Home;
        info.Environment["USER"] = user.Name;
        info.Environment["LOGNAME"] = user.Name;

        // The worker's metrics block (0600, made by the primary for this worker only) must be the worker's to map.
        if (info.Environment.TryGetValue(WorkerEnvironment.MetricsFile, out var metrics) && !string.IsNullOrEmpty(metrics))
        {
            try
            {
                FileAccessCheck.GiveTo(metrics, user);
            }
            catch (IOException ex)
            {
                // Metrics are not worth a worker (the worker logs that it cannot map the block).
                Log.MetricsNotHandedOver(_logger, metrics, user.Name, ex.Message);
            }
        }
    }

    private void SendTlsFiles(IpcChannel channel)
    {
        if (_options.WorkerTlsFiles is not { } files)
        {
            return;
        }

        var message = _certificates.Read(files);
        foreach (var failed in message.Files.Where(f => f.Data is null))
        {
            Log.TlsFilesUnreadable(_logger, failed.Path, failed.Error ?? "unknown error");
        }

        // Sent before the worker's first read of the channel; if the worker is already gone, its exit is handled as usual.
        channel.Send(message);
    }

    private void CheckTlsFiles()
    {
        // Read once per tick; pushed when two ticks in a row saw the same new contents (CertificateDistribution).
        if (_state != State.Running || _options.WorkerTlsFiles is not { Watch: true } files || !_certificates.HasSettledChange(files))
        {
            return;
        }

        Log.TlsFilesChanged(_logger, files.Paths.Count);

        // A waiting spare built its servers with the old files: replace it. Ready workers reload in place.
        StopSpares(all: true);
        EnsureSpares();
        StartCertificateReload(null);
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.TlsFilesChanged, LogLevel.Information, "The TLS files changed ({Count} file(s) watched by the primary for workers started with --user): sending them to every worker and reloading their certificates", EventName = "TlsFilesChanged")]
        public static partial void TlsFilesChanged(ILogger logger, int count);

        [LoggerMessage(ClusterEventIds.MetricsNotHandedOver, LogLevel.Warning, "The metrics block '{Path}' could not be given to user '{User}': {Reason}", EventName = "MetricsNotHandedOver")]
        public static partial void MetricsNotHandedOver(ILogger logger, string path, string user, string reason);

        [LoggerMessage(ClusterEventIds.TlsFilesUnreadable, LogLevel.Error, "The primary cannot read TLS file '{Path}' for its workers: {Reason}", EventName = "TlsFilesUnreadable")]
        public static partial void TlsFilesUnreadable(ILogger logger, string path, string reason);
    }
}
