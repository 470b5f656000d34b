using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.InWorker;

namespace Roost.StartupHook.Internal;

/// <summary>Tells the primary the worker is ready once the app's host has started (Kestrel accepts on the inherited sockets).</summary>
internal sealed class RunWorkerService(IHostApplicationLifetime lifetime, WorkerRuntime runtime, IReadOnlyList<RunListener> listeners, RunDrain drain, ILoggerFactory loggers) : IHostedService
{
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(() =>
        {
            var self = runtime.Self;
            Log.WorkerServing(loggers.CreateLogger("Roost.Run"), self.Id, self.Pid, self.Generation, string.Join(", ", listeners.Select(l => HttpServer.Describe(l.Local))));
            runtime.OnHostListening([.. listeners.Select(l => l.Local)], drain.DrainAsync);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }
}
