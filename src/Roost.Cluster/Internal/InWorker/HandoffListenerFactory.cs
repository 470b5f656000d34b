using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>Kestrel's view of <see cref="HandoffTransport"/> in one server's service provider (with that host's memory pool factory).</summary>
internal sealed class HandoffListenerFactory(HandoffTransport transport, IMemoryPoolFactory<byte>? memoryPoolFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => transport.CanBind(endpoint);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(transport.Bind(endpoint, memoryPoolFactory));
}
