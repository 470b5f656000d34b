using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Roost.Internal.Control;

/// <summary>The client end of the control socket (the <c>roost</c> status/reload/scale/stop commands).</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly Socket _socket;

    private ControlClient(Socket socket, string socketPath)
    {
        _socket = socket;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Connects to the socket in <paramref name="directory"/>.</summary>
    /// <exception cref="ControlConnectException">Nothing is there, or nobody answers (stale), or access is denied.</exception>
    public static ControlClient Connect(string directory)
    {
        // No File.Exists first: for another user a 0700 directory hides the file, and connect tells EACCES apart.
        var path = RunDirectory.SocketPath(directory);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new ControlClient(socket, path);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ControlConnectException(
                ex.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => ControlConnectFailure.Stale,
                    SocketError.AccessDenied => ControlConnectFailure.AccessDenied,
                    _ => ControlConnectFailure.NotRunning,
                },
                path,
                ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            socket.Dispose();
            throw new ControlConnectException(ControlConnectFailure.AccessDenied, path, ex);
        }
    }

    /// <summary>
    /// Returns whether the socket in <paramref name="directory"/> is stale: the file is there but connecting is refused
    /// (its primary exited without removing it). A socket that answers, or that this user may not reach, is not stale.
    /// </summary>
    public static bool IsStale(string directory)
    {
        try
        {
            // Connect and hang up at once: the primary reads no request line and closes the connection quietly.
            Connect(directory).Dispose();
            return false;
        }
        catch (ControlConnectException ex)
        {
            return ex.Failure == ControlConnectFailure.Stale;
        }
    }

    /// <summary>Sends the request, then yields every line until the primary closes the connection.</summary>
    /// <exception cref="InvalidDataException">A reply line is not a control response; the message names the socket and the line.</exception>
    public async IAsyncEnumerable<ControlResponse> ExchangeAsync(ControlRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
        try
        {
            await _socket.SendAsync(line.Append((byte)'\n').ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // The primary answered and closed before reading (a refused peer): its answer is still there to read.
        }

        using var stream = new NetworkStream(_socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false) is { } text)
        {
            if (text.Length == 0)
            {
                continue;
            }

            ControlResponse? response;
            try
            {
                response = JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlResponse);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException(ClusterErrorMessages.ReplyUnreadable(SocketPath, text, ex.Message), ex);
            }

            if (response is not null)
            {
                yield return response;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The primary went away mid-answer (e.g. it exited after a stop): the same as end of stream.
            return null;
        }
    }
}
