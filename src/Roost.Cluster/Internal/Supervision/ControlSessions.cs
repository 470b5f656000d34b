using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The control socket's state in the primary: the server (once opened), when the primary started (the status reports
/// it), and the <c>roost stop</c> sessions that wait for the cluster to stop. Owned by the supervisor
/// (Supervisor.Control.cs serves the requests on the loop; this keeps the sessions and closes them at the end).
/// </summary>
internal sealed class ControlSessions
{
    private readonly List<ControlSession> _stopping = [];

    /// <summary>Gets the control server, once opened.</summary>
    public ControlServer? Server { get; private set; }

    /// <summary>Gets when the primary started (the status's <c>startedAt</c>).</summary>
    public DateTimeOffset PrimaryStartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Opens the control socket of instance <paramref name="name"/> in <paramref name="directory"/>; each request goes to <paramref name="post"/>.</summary>
    /// <exception cref="InvalidOperationException">Another primary of the same name is alive, or the socket cannot be created.</exception>
    public void Open(string name, string directory, ILogger logger, Action<ControlRequest, ControlSession> post, bool removeDirectory)
    {
        Server = ControlServer.Start(name, directory, logger, post);
        Server.RemoveDirectoryOnDispose = removeDirectory;
    }

    /// <summary>A <c>stop</c> session waits for the end of the cluster (it gets the exit code).</summary>
    public void WaitForStop(ControlSession session) => _stopping.Add(session);

    /// <summary>The cluster stopped with <paramref name="exitCode"/>: answers every stop session, gives them up to 1 s to be written, and closes the socket.</summary>
    public void Close(int exitCode)
    {
        if (Server is null)
        {
            return;
        }

        foreach (var session in _stopping)
        {
            session.Complete(new ControlResponse.Result("stop", "stopped", exitCode == ClusterExitCodes.Ok, ExitCode: exitCode));
        }

        // Let the last lines reach `roost stop` before the process exits (bounded: at most 1 s at exit).
        Task.WhenAll(_stopping.Select(s => s.Completion)).Wait(TimeSpan.FromSeconds(1));
        _stopping.Clear();
        Server.Dispose();
    }
}
