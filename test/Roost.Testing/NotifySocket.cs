using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Roost.Testing;

/// <summary>
/// Plays systemd's side of <c>Type=notify</c>: a unix datagram socket (pass <see cref="Path"/> as <c>NOTIFY_SOCKET</c>)
/// that records every datagram with the CLOCK_MONOTONIC time it arrived.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentQueue<NotifyDatagram> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    public NotifySocket(string path)
    {
        Path = path;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _reader = Task.Run(ReadAsync);
    }

    public string Path { get; }

    public IReadOnlyList<NotifyDatagram> Received => [.. _received];

    /// <summary>CLOCK_MONOTONIC in microseconds (.NET's Stopwatch reads that clock on Linux), to compare with <c>MONOTONIC_USEC</c>.</summary>
    public static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));

    /// <summary>Waits for a datagram after the first <paramref name="skip"/> that matches <paramref name="predicate"/>; returns its index.</summary>
    public async Task<int> WaitForAsync(Func<NotifyDatagram, bool> predicate, TimeSpan timeout, int skip = 0)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var snapshot = Received;
            for (var i = skip; i < snapshot.Count; i++)
            {
                if (predicate(snapshot[i]))
                {
                    return i;
                }
            }

            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching datagram on {Path} within {timeout}. Received:\n{string.Join('\n', snapshot)}");
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The reader ends with the socket's disposal; its exception says nothing about the test.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _received.Enqueue(new NotifyDatagram(MonotonicMicroseconds(), Encoding.UTF8.GetString(buffer, 0, length)));
            _arrived.Release();
        }
    }
}
