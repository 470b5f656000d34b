using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Control;

namespace Roost.Clustering.Internal.Control;

/// <summary>
/// The primary's control socket: a unix stream socket (0600) in a private run directory (0700). Each connection's
/// peer is checked with <c>SO_PEERCRED</c> (only the primary's own uid is served), its one request line is read here,
/// and the request is handed to the supervisor loop, which answers through a <see cref="ControlSession"/>.
/// </summary>
/// <remarks>
/// Start: (1) create/check the run directory; (2) a socket file already there is probed: a connect that is refused
/// means its primary is gone (stale) and the file is replaced, a connect that succeeds means another primary of the
/// same name is alive (error); (3) bind, chmod 0600, listen. Dispose closes the listener and removes the file.
/// </remarks>
internal sealed partial class ControlServer : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly Action<ControlRequest, ControlSession> _onRequest;
    private readonly CancellationTokenSource _stopping = new();
    private readonly uint _owner = Libc.GetEffectiveUserId();

    private ControlServer(string name, string directory, Socket listener, ILogger logger, Action<ControlRequest, ControlSession> onRequest)
    {
        Name = name;
        Directory = directory;
        _listener = listener;
        _logger = logger;
        _onRequest = onRequest;
    }

    public string Name { get; }

    public string Directory { get; }

    public string SocketPath => RunDirectory.SocketPath(Directory);

    /// <summary>Gets or sets a value indicating whether the (derived, not user-given) instance directory is removed on exit when empty.</summary>
    public bool RemoveDirectoryOnDispose { get; set; }

    /// <summary>Creates the socket and starts accepting.</summary>
    /// <exception cref="InvalidOperationException">Another primary of the same name is alive, or the socket cannot be created (the message says which path and why).</exception>
    public static ControlServer Start(string name, string directory, ILogger logger, Action<ControlRequest, ControlSession> onRequest)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The control socket needs Linux.");
        }

        var path = RunDirectory.SocketPath(directory);
        Socket listener;
        try
        {
            RunDirectory.EnsurePrivate(directory);
            RemoveIfStale(path, name, logger);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(path));
                File.SetUnixFileMode(path, RunDirectory.PrivateFile);
                listener.Listen(16);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(ClusterErrorMessages.ControlSocketFailed(path, ex.Message), ex);
        }

        var server = new ControlServer(name, directory, listener, logger, onRequest);
        Log.Listening(logger, path, name);
        _ = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Dispose();
        try
        {
            File.Delete(SocketPath);
            if (RemoveDirectoryOnDispose && !System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
            {
                System.IO.Directory.Delete(Directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is detected as stale by the next primary of this name.
        }
    }

    private static void RemoveIfStale(string path, string name, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody listens: the primary that created it died without removing it.
            Log.StaleSocket(logger, path);
            File.Delete(path);
            return;
        }

        throw new InvalidOperationException(ClusterErrorMessages.ControlSocketInUse(path, name));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.ConnectionFailed(_logger, ex.Message);
                continue;
            }

            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        var (pid, uid) = PeerCredentials(connection);
        var session = new ControlSession(connection, pid);
        if (uid != _owner)
        {
            var message = ClusterErrorMessages.ControlPeerRefused((int)uid, pid, (int)_owner);
            Log.PeerRefused(_logger, (int)uid, pid, message);
            await DiscardRequestAsync(connection).ConfigureAwait(false);
            session.Complete(new ControlResponse.Error(ControlErrorCodes.Forbidden, message));
            return;
        }

        string? line;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(RequestTimeout);
            line = await ReadLineAsync(connection, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or InvalidDataException)
        {
            session.Complete(new ControlResponse.Error(ControlErrorCodes.BadRequest, ClusterErrorMessages.ControlBadRequest(ex.Message)));
            return;
        }

        if (line is null)
        {
            session.Complete(new ControlResponse.Error(ControlErrorCodes.BadRequest, ClusterErrorMessages.ControlBadRequest("no request line")));
            return;
        }

        if (!ControlProtocol.TryParseRequest(line, out var request, out var refusal))
        {
            session.Complete(refusal);
            return;
        }

        // A status or metrics request changes nothing and roost top asks for one every second: Debug, so the log (and
        // the supervision events kept from it) holds the requests that act.
        Log.Request(_logger, request is ControlRequest.Status or ControlRequest.Metrics ? LogLevel.Debug : LogLevel.Information, request.GetType().Name.ToLowerInvariant(), pid);
        _onRequest(request, session);
    }

    /// <summary>Reads (and ignores) a refused peer's request, so that its send does not fail before it reads the refusal.</summary>
    private static async Task DiscardRequestAsync(Socket connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await ReadLineAsync(connection, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or InvalidDataException)
        {
            // Nothing (or too much) was sent: the refusal is sent all the same.
        }
    }

    private static async Task<string?> ReadLineAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var line = new MemoryStream();
        while (line.Length <= ControlProtocol.MaxRequestBytes)
        {
            var read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return line.Length > 0 ? Encoding.UTF8.GetString(line.ToArray()) : null;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            line.Write(buffer, 0, newline >= 0 ? newline : read);
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(line.ToArray());
            }
        }

        throw new InvalidDataException($"request longer than {ControlProtocol.MaxRequestBytes} bytes");
    }

    /// <summary>Reads SO_PEERCRED: struct ucred { pid_t pid; uid_t uid; gid_t gid; }.</summary>
    private static (int Pid, uint Uid) PeerCredentials(Socket connection)
    {
        Span<byte> credentials = stackalloc byte[12];
        var length = connection.GetRawSocketOption(Libc.SolSocket, Libc.SoPeerCred, credentials);
        if (length < 12)
        {
            // Unknown peer: treat as a foreign uid, so it is refused.
            return (0, uint.MaxValue);
        }

        return (BitConverter.ToInt32(credentials[..4]), BitConverter.ToUInt32(credentials[4..8]));
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.ControlListening, LogLevel.Information, "Control socket {SocketPath} is listening (instance '{Name}')", EventName = "ControlListening")]
        public static partial void Listening(ILogger logger, string socketPath, string name);

        [LoggerMessage(ClusterEventIds.ControlPeerRefused, LogLevel.Warning, "{Message} (uid {Uid}, pid {Pid})", EventName = "ControlPeerRefused")]
        public static partial void PeerRefused(ILogger logger, int uid, int pid, string message);

        [LoggerMessage(EventId = ClusterEventIds.ControlRequest, Message = "Control request '{Request}' from pid {Pid}", EventName = "ControlRequest")]
        public static partial void Request(ILogger logger, LogLevel level, string request, int pid);

        [LoggerMessage(ClusterEventIds.ControlConnectionFailed, LogLevel.Warning, "Control socket accept failed: {Reason}", EventName = "ControlConnectionFailed")]
        public static partial void ConnectionFailed(ILogger logger, string reason);

        [LoggerMessage(ClusterEventIds.ControlStaleSocket, LogLevel.Warning, "Replacing the stale control socket {SocketPath}: nobody answers on it (its primary exited without removing it)", EventName = "ControlStaleSocket")]
        public static partial void StaleSocket(ILogger logger, string socketPath);
    }
}
