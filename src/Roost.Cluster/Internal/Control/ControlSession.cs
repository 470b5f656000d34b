using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Roost.Internal.Control;

/// <summary>
/// One accepted control connection after its request was read: the supervisor loop sends response lines with
/// <see cref="Send"/> (never blocking the loop: a writer task drains a queue) and ends it with <see cref="Complete"/>.
/// </summary>
internal sealed class ControlSession
{
    private readonly Socket _socket;
    private readonly Channel<ControlResponse> _queue = Channel.CreateUnbounded<ControlResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public ControlSession(Socket socket, int peerPid)
    {
        _socket = socket;
        PeerPid = peerPid;
        _writer = Task.Run(WriteAsync);
    }

    public int PeerPid { get; }

    /// <summary>Gets a task that completes when everything queued was written (or the peer went away) and the socket closed.</summary>
    public Task Completion => _writer;

    /// <summary>Queues a line; ignored after <see cref="Complete"/>.</summary>
    public void Send(ControlResponse response) => _queue.Writer.TryWrite(response);

    /// <summary>Queues the last line and closes the connection after it.</summary>
    public void Complete(ControlResponse last)
    {
        _queue.Writer.TryWrite(last);
        _queue.Writer.TryComplete();
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var response in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var line = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
                await _socket.SendAsync(line.Append((byte)'\n').ToArray(), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
            // The client went away (Ctrl+C on `roost reload --wait`): the operation goes on without it.
        }
        catch (ObjectDisposedException)
        {
            // The primary is exiting and closed the socket.
        }
        finally
        {
            _socket.Dispose();
        }
    }
}
