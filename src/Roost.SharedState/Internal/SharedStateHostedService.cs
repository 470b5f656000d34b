using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Roost.SharedState.Internal;

/// <summary>
/// Runs before the server starts (<see cref="IHostedLifecycleService.StartingAsync"/> precedes every
/// <c>StartAsync</c>, Kestrel's included): attaches logging, makes sure the key ring has a key, and for SQLite opens
/// the file and starts the expired-entry cleanup.
/// </summary>
internal sealed class SharedStateHostedService(SharedStore store, ILoggerFactory loggerFactory) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _cleanup = Task.CompletedTask;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        store.AttachLogger(loggerFactory);
        if (store.Sqlite is { } sqlite)
        {
            Log.StoreOpened(store.Logger, store.Description);
            _cleanup = CleanupLoopAsync(sqlite, _stopping.Token);
        }
        else
        {
            // Connect now (never throws: the multiplexer keeps trying) so the first request does not pay for it.
            _ = store.Redis!.Multiplexer;
            Log.StoreOpened(store.Logger, store.Description);
        }

        // With Redis down at start the server still starts; requests that need the session get 503 meanwhile.
        if (store.Redis is null || store.Redis.Multiplexer.IsConnected)
        {
            await KeyRingPreparation.EnsureKeyAsync(store, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _cleanup.ConfigureAwait(false);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _cleanup.ConfigureAwait(false);
        _stopping.Dispose();
        await store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CleanupLoopAsync(SqliteDistributedCache sqlite, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(store.Options.CleanupInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var removed = await sqlite.RemoveExpiredAsync(cancellationToken).ConfigureAwait(false);
                    Log.ExpiredRemoved(store.Logger, removed, store.Description);
                }
                catch (SharedStateUnavailableException ex)
                {
                    Log.CleanupFailed(store.Logger, store.Description, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
