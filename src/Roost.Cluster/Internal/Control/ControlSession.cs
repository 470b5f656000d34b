using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Roost.Clustering.Internal.Control;

/// <summary>
/// One control request being answered: the supervisor loop sends response lines with <see cref="Send"/> (never
/// blocking the loop: a writer task drains a queue) and ends it with <see cref="Complete"/>. The lines go to an accepted
/// control connection, or to another writer (the dashboard's actions answer over HTTP with the same lines).
/// </summary>
internal sealed class ControlSession
{
    private readonly Channel<ControlResponse> _queue = Channel.CreateUnbounded<ControlResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<ControlResponse, Task> _write;
    private readonly Action _close;
    private readonly Task _writer;

    /// <summary>A session on an accepted control connection: each response is one JSON line on <paramref name="socket"/>.</summary>
    public ControlSession(Socket socket, int peerPid)
        : this(peerPid, response => SendLineAsync(socket, response), socket.Dispose)
    {
    }

    /// <summary>A session whose responses go to <paramref name="write"/>, in order; <paramref name="close"/> runs once after the last.</summary>
    /// <param name="peerPid">The asking process (the primary's own pid for the admin listener).</param>
    /// <param name="write">Writes one response; a <see cref="SocketException"/>, <see cref="IOException"/>, <see cref="ObjectDisposedException"/> or <see cref="OperationCanceledException"/> means the client went away.</param>
    /// <param name="close">Ends the client's connection.</param>
    public ControlSession(int peerPid, Func<ControlResponse, Task> write, Action close)
    {
        PeerPid = peerPid;
        _write = write;
        _close = close;
        _writer = Task.Run(WriteAsync);
    }

    public int PeerPid { get; }

    /// <summary>Gets a task that completes when everything queued was written (or the peer went away) and the connection closed.</summary>
    public Task Completion => _writer;

    /// <summary>Queues a line; ignored after <see cref="Complete"/>.</summary>
    public void Send(ControlResponse response) => _queue.Writer.TryWrite(response);

    /// <summary>Queues the last line and closes the connection after it.</summary>
    public void Complete(ControlResponse last)
    {
        _queue.Writer.TryWrite(last);
        _queue.Writer.TryComplete();
    }

    private static async Task SendLineAsync(Socket socket, ControlResponse response)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
        await socket.SendAsync(line.Append((byte)'\n').ToArray(), SocketFlags.None).ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var response in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await _write(response).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // The client went away (Ctrl+C on `roost reload --wait`, a closed dashboard tab): the operation goes on without it.
        }
        catch (ObjectDisposedException)
        {
            // The primary is exiting and closed the connection.
        }
        finally
        {
            _close();
        }
    }
}
