using System.Diagnostics;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Starts a worker's operating-system process: the supervisor's seam to the OS (CONTRIBUTING.md §5.3, §9.2). Production uses
/// <see cref="WorkerLauncher"/>; unit tests substitute a launcher that starts a stand-in process and keeps the
/// worker's end of the IPC socketpair, so every supervisor decision runs for real under a fake clock.
/// </summary>
internal interface IWorkerLauncher : IDisposable
{
    /// <summary>Starts <paramref name="info"/>; the worker's end of its IPC socketpair is <paramref name="childHandle"/>, which the caller closes afterwards.</summary>
    Process Start(ProcessStartInfo info, int childHandle);
}
