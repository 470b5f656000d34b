using System.Collections.Concurrent;
using System.Diagnostics;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Starts worker processes, one at a time, on one long-lived thread.
/// </summary>
/// <remarks>
/// Why one thread: (1) PR_SET_PDEATHSIG fires when the <em>thread</em> that forked the child exits, and thread-pool
/// threads retire when idle — a worker started from one would be told its parent died. (2) Spawns must be
/// serialized: the child's end of a control socketpair has FD_CLOEXEC cleared only for its own spawn, so a
/// concurrent spawn would inherit another worker's channel and break end-of-file detection (design.md).
/// </remarks>
internal sealed class WorkerLauncher : IWorkerLauncher
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public WorkerLauncher()
    {
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "roost-worker-launcher" };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="info"/> with <paramref name="childHandle"/> inherited (FD_CLOEXEC cleared only for this spawn).</summary>
    public Process Start(ProcessStartInfo info, int childHandle)
    {
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            Process? process = null;
            Exception? failure = null;
            try
            {
                Libc.SetCloseOnExec(childHandle, false);
                process = new Process { StartInfo = info, EnableRaisingEvents = true };
                process.Start();
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                failure = ex;
            }
            finally
            {
                Libc.SetCloseOnExec(childHandle, true);
            }

            // Only now: the waiting caller closes childHandle as soon as it wakes up.
            if (failure is null)
            {
                done.SetResult(process!);
            }
            else
            {
                done.SetException(failure);
            }
        });

        // A few milliseconds of fork/exec; the caller (the supervisor loop) has nothing else to do meanwhile.
        return done.Task.GetAwaiter().GetResult();
    }

    public void Dispose() => _work.CompleteAdding();

    private void Run()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }
}
