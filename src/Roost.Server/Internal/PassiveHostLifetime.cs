using Microsoft.Extensions.Hosting;

namespace Roost.Server.Internal;

/// <summary>
/// Replaces the console lifetime: the façade handles signals itself (see <see cref="ProcessSignals"/>), and several
/// servers in one process must not each install their own handlers.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
