using System.Collections.Concurrent;
using System.Text.Json;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The worker side of one stand-in: a real process (killed for real) plus the worker's end of its IPC channel, on
/// which the test sends what a worker runtime would send.
/// </summary>
internal sealed class StandInWorker : IDisposable
{
    private readonly TaskCompletionSource _stopReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _promoted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<TicketKeysMessage> _ticketKeys = new();
    private readonly ConcurrentQueue<AcmeChallengeMessage> _acmeChallenges = new();
    private long _heartbeats;
    private int _gone;

    public StandInWorker(int id, int pid, int generation, int handle, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Id = id;
        Pid = pid;
        Generation = generation;
        Environment = environment ?? new Dictionary<string, string?>();
        Channel = new IpcChannel(handle, 1024 * 1024, $"stand-in-{id}");
        Channel.MessageReceived += OnMessage;
        Channel.Start();
    }

    public int Id { get; }

    public int Pid { get; }

    public int Generation { get; }

    public IpcChannel Channel { get; }

    /// <summary>Gets the environment the supervisor started the process with.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Gets a value indicating whether the supervisor started this process as a hot spare.</summary>
    public bool IsSpare => Environment.GetValueOrDefault(Roost.Clustering.Internal.WorkerEnvironment.Spare) == "1";

    /// <summary>Gets the <c>stop</c> message the primary sent, once it did.</summary>
    public StopMessage? ReceivedStop { get; private set; }

    /// <summary>Gets a task that completes with the slot when the primary promotes this hot spare.</summary>
    public Task<int> Promoted => _promoted.Task;

    /// <summary>Gets or sets a value indicating whether the process exits (SIGTERM) as soon as the primary sends <c>stop</c>; off = a worker still draining.</summary>
    public bool ExitOnStop { get; set; } = true;

    /// <summary>Gets a task that completes when the primary asked this worker to stop.</summary>
    public Task StopReceived => _stopReceived.Task;

    /// <summary>Gets the TLS session ticket keys the primary sent, in order.</summary>
    public IReadOnlyCollection<TicketKeysMessage> TicketKeys => _ticketKeys;

    /// <summary>Gets the TLS-ALPN-01 challenges the primary sent, in order.</summary>
    public IReadOnlyCollection<AcmeChallengeMessage> AcmeChallenges => _acmeChallenges;

    /// <summary>Gets or sets a value indicating whether the stand-in acknowledges each challenge as soon as it arrives (as a worker runtime does).</summary>
    public bool HoldAcmeChallengesAtOnce { get; set; }

    /// <summary>Says that this worker answers <paramref name="challenge"/> now, as a worker runtime does once it set it.</summary>
    public void HoldAcmeChallenge(AcmeChallengeMessage challenge) => Channel.Send(new AcmeChallengeHeldMessage(challenge.Name, challenge.Digest!));

    public void Online() => Channel.Send(new OnlineMessage(Pid));

    /// <summary>Reports ready, as a worker does after its first successful listen.</summary>
    public void Listening() => Channel.Send(new ListeningMessage("127.0.0.1", 8443));

    /// <summary>Reports that the hot spare's app is built and it waits for <c>promote</c>.</summary>
    public void SpareWaiting() => Channel.Send(new SpareWaitingMessage());

    public void Heartbeat() => Channel.Send(new HeartbeatMessage(++_heartbeats));

    public void SendUserMessage(string text) => Channel.Send(new UserMessage(JsonSerializer.SerializeToElement(text)));

    /// <summary>Ends the process with <paramref name="signal"/> (once; the supervisor reaps it and sees the exit).</summary>
    public void Kill(int signal = Libc.SigKill)
    {
        if (Interlocked.Exchange(ref _gone, 1) == 0)
        {
            _ = Libc.Kill(Pid, signal);
        }
    }

    /// <summary>Marks the process as exited (the supervisor reported it), so disposal never signals a reused pid.</summary>
    public void MarkExited() => Interlocked.Exchange(ref _gone, 1);

    public void Dispose()
    {
        Kill();
        Channel.Dispose();
    }

    private void OnMessage(IpcMessage message)
    {
        if (message is TicketKeysMessage keys)
        {
            _ticketKeys.Enqueue(keys);
        }

        if (message is AcmeChallengeMessage challenge)
        {
            _acmeChallenges.Enqueue(challenge);
            if (HoldAcmeChallengesAtOnce && challenge.Digest is not null)
            {
                HoldAcmeChallenge(challenge);
            }
        }

        if (message is PromoteMessage promote)
        {
            _promoted.TrySetResult(promote.Slot);
        }

        if (message is StopMessage stop)
        {
            ReceivedStop = stop;
            _stopReceived.TrySetResult();
            if (ExitOnStop)
            {
                Kill(Libc.SigTerm);
            }
        }
    }
}
