using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Roost.Testing;

/// <summary>
/// Counts what <see cref="System.Net.Http.SocketsHttpHandler"/> does for one server port, from its
/// <c>System.Net.Http</c> event source (in-process): requests started, connections opened and closed per HTTP
/// version, and request header blocks sent. A request the handler retries on a new connection (after a GOAWAY
/// that did not cover its stream, or REFUSED_STREAM) sends its headers again, so
/// <see cref="Retries"/> = header blocks sent − requests started (a lower bound: a request that fails before its
/// headers are sent lowers it; such failures are counted by the load probes).
/// </summary>
public sealed class HttpClientTelemetry : EventListener
{
    private readonly ConcurrentDictionary<long, int> _connections = new();
    private readonly int _port;
    private int _requests;
    private int _headerSends;
    private int _h2Opened;
    private int _h1Opened;
    private int _closed;

    public HttpClientTelemetry(int port)
    {
        // The base constructor may already have delivered events (with _port still 0: ignored).
        _port = port;
    }

    public int Requests => _requests;

    public int HeaderSends => _headerSends;

    public int Retries => Math.Max(0, _headerSends - _requests);

    public int Http2ConnectionsOpened => _h2Opened;

    public int Http11ConnectionsOpened => _h1Opened;

    public int ConnectionsClosed => _closed;

    public override string ToString() =>
        $"requests started {Requests}, header blocks sent {HeaderSends} (retries {Retries}), connections opened h2 {Http2ConnectionsOpened} / http/1.1 {Http11ConnectionsOpened}, closed {ConnectionsClosed}";

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Net.Http")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_port == 0 || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        switch (eventData.EventName)
        {
            case "RequestStart" when Payload<int>(eventData, "port") == _port:
                Interlocked.Increment(ref _requests);
                break;
            case "ConnectionEstablished" when Payload<int>(eventData, "port") == _port:
                var major = Payload<byte>(eventData, "versionMajor");
                _connections[Payload<long>(eventData, "connectionId")] = major;
                Interlocked.Increment(ref major == 2 ? ref _h2Opened : ref _h1Opened);
                break;
            case "RequestHeadersStart" when _connections.ContainsKey(Payload<long>(eventData, "connectionId")):
                Interlocked.Increment(ref _headerSends);
                break;
            case "ConnectionClosed" when _connections.TryRemove(Payload<long>(eventData, "connectionId"), out _):
                Interlocked.Increment(ref _closed);
                break;
        }
    }

    private static T? Payload<T>(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames!.IndexOf(name);
        return index >= 0 && e.Payload![index] is T value ? value : default;
    }
}
