using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The supervisor's process launcher for unit tests: it starts the stand-in program the options name (a real
/// <c>sleep</c> by default, so kills and exits are real) and keeps the worker's end of the IPC socketpair, through
/// which the test speaks the worker protocol (online, listening, heartbeats) at the moments it chooses.
/// </summary>
internal sealed class StandInWorkerLauncher : IWorkerLauncher
{
    // F_DUPFD_CLOEXEC (Linux, fcntl.h): a duplicate that no later child inherits.
    private const int DuplicateCloseOnExec = 1030;

    private readonly Channel<StandInWorker> _started = Channel.CreateUnbounded<StandInWorker>();
    private readonly List<StandInWorker> _all = [];
    private readonly Lock _gate = new();

    /// <summary>Gets how many workers were started.</summary>
    public int StartCount
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Gets every stand-in started so far.</summary>
    public IReadOnlyList<StandInWorker> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    public Process Start(ProcessStartInfo info, int childHandle)
    {
        var workerEnd = Libc.Fcntl(childHandle, DuplicateCloseOnExec, 0);
        if (workerEnd < 0)
        {
            throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed for the worker's IPC handle {childHandle}.");
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"'{info.FileName}' did not start.");
        }
        catch
        {
            _ = Libc.Close(workerEnd);
            throw;
        }

        var id = int.Parse(info.Environment[WorkerEnvironment.WorkerId]!, CultureInfo.InvariantCulture);
        var generation = int.Parse(info.Environment[WorkerEnvironment.Generation]!, CultureInfo.InvariantCulture);
        var worker = new StandInWorker(id, process.Id, generation, workerEnd, new Dictionary<string, string?>(info.Environment));
        lock (_gate)
        {
            _all.Add(worker);
        }

        _started.Writer.TryWrite(worker);
        return process;
    }

    /// <summary>Waits for the next worker the supervisor starts (in start order).</summary>
    public async Task<StandInWorker> NextAsync(TimeSpan timeout) =>
        await _started.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);

    /// <summary>Gets whether a started worker has not been taken with <see cref="NextAsync"/> yet.</summary>
    public bool HasUntaken => _started.Reader.TryPeek(out _);

    public void Dispose()
    {
        // The supervisor disposes its launcher when it stops; the stand-ins' channels stay until the harness ends.
    }
}
