using Roost.Clustering.Internal.Admin;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;
using Roost.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Metrics: the workers' shared blocks (<see cref="ClusterMetrics"/>) and snapshots of the instance.</summary>
internal sealed partial class Supervisor
{
    private ClusterMetrics _metrics = null!;
    private AdminListener? _admin;
    private OpenTelemetry.Metrics.MeterProvider? _otlp;

    /// <summary>Gets the admin listener, once started (<see cref="OpenAdminListener"/> or the first fork).</summary>
    public AdminListener? Admin => _admin;

    /// <summary>Starts the admin listener now when it is configured (the CLI: before the port is bound, so its errors come first).</summary>
    /// <exception cref="InvalidOperationException">The admin settings are not usable or its end point cannot be bound.</exception>
    public void OpenAdminListener()
    {
        lock (_startGate)
        {
            StartAdmin();
        }
    }

    /// <summary>Gets a snapshot of the instance, built on the loop (before the first fork: built here, with no workers).</summary>
    public Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        lock (_startGate)
        {
            if (_loop is null)
            {
                return Task.FromResult(BuildMetrics());
            }
        }

        var result = new TaskCompletionSource<MetricsSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_events.Writer.TryWrite(new SupervisorEvent.Metrics(result)))
        {
            return Task.FromException<MetricsSnapshot>(new InvalidOperationException(ClusterErrorMessages.ClusterStopped()));
        }

        return result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Creates the logger tee and the metrics owner (constructor).</summary>
    private Microsoft.Extensions.Logging.ILogger CreateMetrics(Microsoft.Extensions.Logging.ILogger inner)
    {
        var supervision = new SupervisionLog(_time);
        var logger = supervision.Wrap(inner);
        _metrics = new ClusterMetrics(logger, supervision);
        return logger;
    }

    /// <summary>A new worker's metrics variables: its block (unless metrics are off) and the OTLP export.</summary>
    private void ApplyMetricsEnvironment(IDictionary<string, string?> environment, int workerId)
    {
        environment[WorkerEnvironment.MetricsFile] = _options.CollectMetrics ? _metrics.Attach(workerId) : null;
        environment[WorkerEnvironment.OtlpEndpoint] = _options.OtlpEndpoint?.AbsoluteUri;
        environment[WorkerEnvironment.ServiceName] = _options.OtlpEndpoint is null ? null : ServiceName;
    }

    private string ServiceName => _control.Server?.Name ?? _options.Name ?? Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "roost";

    private void StartOtlp()
    {
        if (_options.OtlpEndpoint is { } endpoint && _otlp is null)
        {
            _otlp = OtlpExport.StartInPrimary(endpoint, ServiceName, OtlpExport.InstanceId(Environment.ProcessId, "primary"), _metrics.Supervision);
        }
    }

    private MetricsSnapshot BuildMetrics()
    {
        var workers = _workers.Values.OrderBy(w => w.Slot).ThenBy(w => w.Id)
            .Select(w => Live(w, StatusText(w.State), w.Slot))
            .Concat(_spares.Values.Where(s => s.State != WorkerState.Draining).OrderBy(s => s.Id).Select(s => Live(s, "spare", null)))
            .ToList();
        var header = new ClusterMetrics.SnapshotHeader(
            _control.Server?.Name ?? _options.Name ?? string.Empty,
            _control.PrimaryStartedAt,
            _generation,
            TargetWorkers,
            _state switch
            {
                State.Running => "running",
                State.Stopping => "stopping",
                _ => "stopped",
            },
            _reload is not null ? "reload" : _scale is not null ? "scale" : null);
        return _metrics.Build(header, workers, _time.GetUtcNow());

        static ClusterMetrics.LiveWorker Live(WorkerProcess w, string state, int? slot) =>
            new(w.Id, w.Pid, slot, w.Generation, state, w.StartedAt, w.Worker.Restarts);
    }

    private void StartAdmin()
    {
        if (_admin is not null || _options.Admin.EndPoint is null)
        {
            return;
        }

        // Startup, before any worker: Kestrel binds synchronously inside StartAsync, and the caller (the first Fork or
        // the CLI's setup) is synchronous like Node's cluster API. Bounded: a bind either succeeds or fails at once.
        // The dashboard's actions go through the control socket's own entry point (Supervisor.Control.cs).
        var services = new AdminServices(GetMetricsAsync, _logger, PostControl, new DashboardCertificates(_options.Admin.Certificates, _time));
        _admin = AdminListener.StartAsync(_options.Admin, services, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    private void StopAdmin()
    {
        // Bounded by the listener's own 2 s grace period.
        _admin?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));

        // Exports what is left (bounded by the exporter's own timeout) and stops.
        _otlp?.Dispose();
        _otlp = null;
    }

    /// <summary>Hands a control request to the loop; once the loop is gone, answers that the cluster stopped.</summary>
    private void PostControl(ControlRequest request, ControlSession session)
    {
        if (!_events.Writer.TryWrite(new SupervisorEvent.Control(request, session)))
        {
            session.Complete(new ControlResponse.Error(ControlErrorCodes.NotRunning, ClusterErrorMessages.ClusterStopped()));
        }
    }

    private void ControlMetrics(ControlSession session) => session.Complete(new ControlResponse.MetricsReport(BuildMetrics()));
}
