using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>One handed-over end point as Kestrel sees it: <see cref="AcceptAsync"/> yields the connections the primary passed.</summary>
internal sealed class HandoffConnectionListener(string endPoint, Action onConnectionClosed) : IConnectionListener
{
    private readonly Channel<int> _connections = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private SocketConnectionContextFactory? _factory;
    private EndPoint? _endPoint;

    public EndPoint EndPoint => _endPoint ?? throw new InvalidOperationException($"The hand-off listener for {endPoint} is not bound.");

    public void Bind(EndPoint boundAs, IMemoryPoolFactory<byte>? memoryPoolFactory)
    {
        _endPoint = boundAs;
        var options = new SocketConnectionFactoryOptions();
        if (memoryPoolFactory is not null)
        {
            // The public constructor leaves the options on MemoryPool<byte>.Shared, with which Kestrel 10's HTTP/1.1
            // output fails (ArgumentOutOfRangeException 'writer' on the first response write); Kestrel's own socket
            // transport uses the host's pool factory, so we do too. The setter is internal: UnsafeAccessor is the
            // trimming- and AOT-safe way to reach it.
            SetMemoryPoolFactory(options, memoryPoolFactory);
        }

        _factory ??= new SocketConnectionContextFactory(options, NullLogger.Instance);
    }

    public bool TryEnqueue(int fd) => _connections.Writer.TryWrite(fd);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _connections.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_connections.Reader.TryRead(out var fd))
            {
                var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
                var connection = _factory!.Create(socket);
                connection.ConnectionClosed.Register(static state => ((Action)state!)(), onConnectionClosed);
                return connection;
            }
        }

        // Unbound: Kestrel stops accepting.
        return null;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _connections.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = "set_MemoryPoolFactory")]
    private static extern void SetMemoryPoolFactory(SocketConnectionFactoryOptions options, IMemoryPoolFactory<byte> factory);

    public ValueTask DisposeAsync()
    {
        _connections.Writer.TryComplete();
        while (_connections.Reader.TryRead(out var fd))
        {
            _ = Libc.Close(fd);
        }

        _factory?.Dispose();
        return ValueTask.CompletedTask;
    }
}
