using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Hot spare: a worker started with <see cref="WorkerEnvironment.Spare"/> runs the program up to the point where its
/// first server would start listening (the app is built), reports <c>spare-waiting</c> and waits there for
/// <c>promote</c>. Then it asks the primary for its slot's sockets (<c>listen</c>), starts and reports ready.
/// </summary>
internal sealed partial class WorkerRuntime
{
    private readonly TaskCompletionSource _promoted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _spareReported;

    /// <summary>Gets a value indicating whether this worker was started as a hot spare and not yet promoted.</summary>
    public bool IsWaitingSpare => !_promoted.Task.IsCompleted;

    public async ValueTask BeforeStartAsync(Func<CancellationToken, Task> warmUp, CancellationToken cancellationToken)
    {
        if (_promoted.Task.IsCompleted)
        {
            return;
        }

        if (Interlocked.Exchange(ref _spareReported, 1) == 0)
        {
            // Compile the server's start and request paths now, so the promoted start is warm (docs/cluster.md).
            await warmUp(cancellationToken).ConfigureAwait(false);
            _channel.Send(new SpareWaitingMessage());
        }

        // No timeout: a spare waits as long as the primary keeps it; a stop (or the primary's death) exits the process.
        await _promoted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void InitializeSpare(bool spare)
    {
        if (!spare)
        {
            _promoted.TrySetResult();
        }
    }

    private void OnPromote(PromoteMessage message)
    {
        // The slot matters to the primary only (it answers `listen` with the slot's sockets); inherited sockets from the
        // spawn are not used: a spare starts with none, so every end point is asked for after the promotion.
        _ = message;
        _requests?.Reset();
        _meters?.StartCounting();
        _promoted.TrySetResult();
    }
}
