using System.Diagnostics.Metrics;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Counts the HTTP requests this process finished, from ASP.NET Core's own <c>http.server.request.duration</c>
/// instrument: it covers façade servers and unmodified ASP.NET Core apps alike, with no hook in the request path.
/// </summary>
internal sealed class RequestCounter : IDisposable
{
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";

    private readonly MeterListener _listener = new();
    private long _requests;

    public RequestCounter()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration)
            {
                listener.EnableMeasurementEvents(instrument, null);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _requests));
        _listener.Start();
    }

    /// <summary>Gets the number of requests finished so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Starts counting from zero (a promoted hot spare forgets its warm-up request).</summary>
    public void Reset() => Interlocked.Exchange(ref _requests, 0);

    public void Dispose() => _listener.Dispose();
}
