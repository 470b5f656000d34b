using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Ipc;

namespace Roost;

/// <summary>
/// A worker process (Node's <c>Worker</c>). In the primary, one per forked worker (<see cref="Cluster.Workers"/>);
/// in a worker, <see cref="Cluster.Worker"/> is the worker itself and <see cref="Send(JsonElement)"/> talks to the primary.
/// </summary>
/// <remarks>Events are raised one at a time from the primary's supervisor loop (or the worker's IPC reader): keep handlers short.</remarks>
public sealed class ClusterWorker
{
    private readonly Func<IpcMessage, bool> _send;

    internal ClusterWorker(int id, int pid, int generation, Func<IpcMessage, bool> send)
    {
        Id = id;
        Pid = pid;
        Generation = generation;
        _send = send;
    }

    /// <summary>Occurs when the worker reports that its runtime is up (Node's <c>online</c>).</summary>
    public event EventHandler<ClusterWorkerEventArgs>? Online;

    /// <summary>Occurs when a server in the worker accepts connections (Node's <c>listening</c>).</summary>
    public event EventHandler<WorkerListeningEventArgs>? Listening;

    /// <summary>Occurs when a message arrives from the other side (Node's <c>message</c>).</summary>
    public event EventHandler<WorkerMessageEventArgs>? MessageReceived;

    /// <summary>Occurs when the IPC channel closed (Node's <c>disconnect</c>).</summary>
    public event EventHandler<ClusterWorkerEventArgs>? Disconnected;

    /// <summary>Occurs when the worker process exited (Node's <c>exit</c>).</summary>
    public event EventHandler<WorkerExitedEventArgs>? Exited;

    /// <summary>Gets the worker's id: 1 for the first worker forked, counting up, never reused.</summary>
    public int Id { get; }

    /// <summary>Gets the worker's process id (Node's <c>worker.process.pid</c>).</summary>
    public int Pid { get; }

    /// <summary>Gets the generation the worker belongs to (1 until a rolling reload starts a new one).</summary>
    public int Generation { get; }

    /// <summary>Gets when the primary started the worker process (in a worker: when its runtime started).</summary>
    public DateTimeOffset StartedAt { get; internal set; } = DateTimeOffset.UtcNow;

    /// <summary>Gets how many times the worker's slot was respawned after an unasked exit before this worker took it over.</summary>
    public int Restarts { get; internal set; }

    /// <summary>
    /// Gets the number of HTTP requests the worker has finished, as of its last heartbeat (so up to one
    /// <see cref="ClusterOptions.HeartbeatInterval"/> old). Counted from ASP.NET Core's <c>http.server.request.duration</c> instrument.
    /// </summary>
    public long RequestCount { get; internal set; }

    /// <summary>Gets the worker's resident set size in bytes, read by the primary at the last heartbeat; <see langword="null"/> until then.</summary>
    public long? RssBytes { get; internal set; }

    /// <summary>Gets a value indicating whether the worker reported listening at least once (it counts as ready).</summary>
    public bool IsListening { get; internal set; }

    /// <summary>Gets a value indicating whether the IPC channel is open.</summary>
    public bool IsConnected { get; internal set; } = true;

    /// <summary>Gets a value indicating whether the process has exited.</summary>
    public bool IsDead { get; internal set; }

    /// <summary>Gets a value indicating whether the worker exited because the primary asked it to (Node's <c>exitedAfterDisconnect</c>).</summary>
    public bool ExitedAfterDisconnect { get; internal set; }

    /// <summary>Sends a JSON value to the other side (Node's <c>worker.send</c>).</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="false"/> when the other side is gone.</returns>
    public bool Send(JsonElement message) => _send(new UserMessage(message.Clone()));

    /// <summary>Sends a string (as a JSON string).</summary>
    /// <param name="message">The text.</param>
    /// <returns><see langword="false"/> when the other side is gone.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public bool Send(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Send(JsonSerializer.SerializeToElement(message, IpcJsonContext.Default.String));
    }

    /// <summary>Sends any value serialized with <paramref name="typeInfo"/> (source-generated JSON, trimming-safe).</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="typeInfo">Its JSON contract, e.g. <c>MyJsonContext.Default.MyMessage</c>.</param>
    /// <returns><see langword="false"/> when the other side is gone.</returns>
    public bool Send<T>(T message, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Send(JsonSerializer.SerializeToElement(message, typeInfo));
    }

    /// <inheritdoc/>
    public override string ToString() => $"worker {Id} (pid {Pid}, generation {Generation})";

    /// <summary>Sends a runtime message (not a user message) on the worker's channel; false when it is closed.</summary>
    internal bool SendIpc(IpcMessage message) => _send(message);

    // Lifecycle events: every handler runs even if one throws (EventInvoker); the supervisor logs the failure.
    internal void RaiseOnline() => EventInvoker.InvokeEach(Online, this, new ClusterWorkerEventArgs(this));

    internal void RaiseListening(IPEndPoint endPoint) => EventInvoker.InvokeEach(Listening, this, new WorkerListeningEventArgs(this, endPoint));

    /// <summary>Raises <see cref="MessageReceived"/>: every handler runs even if one throws; the failure is rethrown afterwards for the caller to log.</summary>
    internal void RaiseMessage(JsonElement message) => EventInvoker.InvokeEach(MessageReceived, this, new WorkerMessageEventArgs(this, message));

    internal void RaiseDisconnected() => EventInvoker.InvokeEach(Disconnected, this, new ClusterWorkerEventArgs(this));

    internal void RaiseExited(WorkerExitedEventArgs args) => EventInvoker.InvokeEach(Exited, this, args);
}
