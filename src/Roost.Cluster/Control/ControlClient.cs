using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Control;

namespace Roost.Control;

/// <summary>
/// A client of a running primary's control socket (<see cref="ClusterOptions.ControlSocket"/>): what <c>roost status</c>,
/// <c>reload</c>, <c>scale</c>, <c>stop</c> and <c>top</c> use, for operators' own tooling too. Each call opens one connection, sends
/// one request and reads the answer until the primary closes it (the protocol is in docs/cli.md, "Control socket").
/// </summary>
/// <remarks>
/// The primary serves only the user that started it (it checks the peer's credentials). Calls are independent: the
/// object holds no connection and may be used from several threads.
/// </remarks>
public sealed class ControlClient
{
    private ControlClient(string instanceDirectory, bool normalize)
    {
        InstanceDirectory = normalize ? Path.GetFullPath(instanceDirectory) : instanceDirectory;
        SocketPath = RunDirectory.SocketPath(InstanceDirectory);
    }

    /// <summary>Creates a client of the primary whose instance directory (<c>--run-dir</c>, the folder holding <c>control.sock</c>) is given.</summary>
    /// <param name="instanceDirectory">The instance directory; a relative path is resolved against the working directory.</param>
    /// <exception cref="ArgumentException"><paramref name="instanceDirectory"/> is empty.</exception>
    public ControlClient(string instanceDirectory)
        : this(ThrowIfEmpty(instanceDirectory), normalize: true)
    {
    }

    /// <summary>
    /// Gets the directory that holds one folder per named instance: <c>/run/roost</c> for root, else
    /// <c>$XDG_RUNTIME_DIR/roost</c>, else <c>~/.local/state/roost</c>.
    /// </summary>
    public static string DefaultBaseDirectory => RunDirectory.BaseDirectory;

    /// <summary>Gets the instance directory.</summary>
    public string InstanceDirectory { get; }

    /// <summary>Gets the control socket's path.</summary>
    public string SocketPath { get; }

    /// <summary>Creates a client of the instance named <paramref name="name"/> (<c>roost serve --name</c>; its default is the port).</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="baseDirectory">The directory that holds the instances; <see cref="DefaultBaseDirectory"/> when <see langword="null"/>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid instance name (<see cref="IsValidName"/>).</exception>
    public static ControlClient ForInstance(string name, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException(ClusterErrorMessages.InstanceNameInvalid(name), nameof(name));
        }

        return new ControlClient(Path.Combine(baseDirectory ?? DefaultBaseDirectory, name), normalize: false);
    }

    /// <summary>
    /// Creates a client of the only primary running under <paramref name="baseDirectory"/>. A stale socket (its primary
    /// exited without removing it) is not a running primary: it is neither chosen nor counted.
    /// </summary>
    /// <param name="baseDirectory">The directory that holds the instances; <see cref="DefaultBaseDirectory"/> when <see langword="null"/>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ControlConnectException">
    /// None runs (<see cref="ControlConnectFailure.NotRunning"/>, or <see cref="ControlConnectFailure.Stale"/> when only
    /// stale sockets are there), or several do (<see cref="ControlConnectFailure.Ambiguous"/>).
    /// </exception>
    public static ControlClient ForOnlyInstance(string? baseDirectory = null)
    {
        var root = baseDirectory ?? DefaultBaseDirectory;
        var instances = RunDirectory.ListInstances(root);
        var live = instances.Where(d => !new ControlClient(d, normalize: false).IsStale()).ToList();
        if (live.Count == 0 && instances.Count > 0)
        {
            throw new ControlConnectException(ControlConnectFailure.Stale, ClusterErrorMessages.OnlyStaleInstances(root, Names(instances)), null);
        }

        return live.Count switch
        {
            0 => throw new ControlConnectException(ControlConnectFailure.NotRunning, ClusterErrorMessages.NoInstances(root), null),
            1 => new ControlClient(live[0], normalize: false),
            _ => throw new ControlConnectException(ControlConnectFailure.Ambiguous, ClusterErrorMessages.SeveralInstances(root, Names(live)), null),
        };
    }

    /// <summary>Returns whether <paramref name="name"/> can name an instance: 1 to 100 letters, digits, '.', '_' or '-' (not '.' or '..').</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it can.</returns>
    public static bool IsValidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return RunDirectory.IsValidName(name);
    }

    /// <summary>Lists the instances under <paramref name="baseDirectory"/> and asks each for its status.</summary>
    /// <param name="baseDirectory">The directory that holds the instances; <see cref="DefaultBaseDirectory"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>One entry per instance directory that holds a control socket, by name.</returns>
    public static async Task<IReadOnlyList<ControlInstance>> ListInstancesAsync(string? baseDirectory = null, CancellationToken cancellationToken = default)
    {
        List<ControlInstance> instances = [];
        foreach (var directory in RunDirectory.ListInstances(baseDirectory ?? DefaultBaseDirectory))
        {
            string state;
            int? pid = null;
            var workers = 0;
            try
            {
                var client = new ControlClient(directory, normalize: false);
                if (await client.ExchangeAsync(new ControlRequest.Status(), null, null, cancellationToken).ConfigureAwait(false) is ControlResponse.StatusReport status)
                {
                    pid = status.Pid;
                    workers = status.Workers.Count(w => w.State != "spare");
                    state = "running";
                }
                else
                {
                    // It closed the connection without a status.
                    state = "refused";
                }
            }
            catch (ControlConnectException ex)
            {
                state = ex.Failure == ControlConnectFailure.Stale ? "stale" : "unreachable";
            }
            catch (ControlRefusedException)
            {
                // It answered with an error instead (another user's primary, another protocol version).
                state = "refused";
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                // It answered with something this build cannot read, or went away mid-answer: list it, do not crash.
                state = "unreachable";
            }

            instances.Add(new ControlInstance(Path.GetFileName(directory), directory, state, pid, workers));
        }

        return instances;
    }

    /// <summary>
    /// Returns whether the socket is stale: the file is there but connecting is refused (its primary exited without
    /// removing it). A socket that answers, or that this user may not reach, is not stale.
    /// </summary>
    /// <returns><see langword="true"/> when stale.</returns>
    public bool IsStale()
    {
        try
        {
            // Connect and hang up at once: the primary reads no request line and closes the connection quietly.
            Connect().Dispose();
            return false;
        }
        catch (ControlConnectException ex)
        {
            return ex.Failure == ControlConnectFailure.Stale;
        }
    }

    /// <summary>Asks for the workers and the cluster's state (<c>roost status</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The status.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request (e.g. another user's primary).</exception>
    /// <exception cref="IOException">The connection closed before the answer.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version); the message names the socket and the line.</exception>
    public async Task<ClusterStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var last = await ExchangeAsync(new ControlRequest.Status(), null, null, cancellationToken).ConfigureAwait(false);
        return last is ControlResponse.StatusReport report ? new ClusterStatus(report) : throw ClosedEarly();
    }

    /// <summary>
    /// Asks for the metrics snapshot (<c>roost top</c>): per worker requests, rates, latency, connections, CPU and memory,
    /// the totals and the recent supervision events. Request figures stay at zero when the primary was started without
    /// <see cref="ClusterOptions.CollectMetrics"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the answer.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public async Task<ClusterMetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        var last = await ExchangeAsync(new ControlRequest.Metrics(), null, null, cancellationToken).ConfigureAwait(false);
        return last is ControlResponse.MetricsReport report ? new ClusterMetricsSnapshot(report.Metrics) : throw ClosedEarly();
    }

    /// <summary>
    /// Runs a rolling reload (like SIGHUP to the primary) and waits for its outcome: <c>reloaded</c>, or <c>aborted</c>
    /// when a new worker failed (the old generation keeps serving).
    /// </summary>
    /// <param name="onProgress">Called, in order, with each progress line (forks, readiness, exits).</param>
    /// <param name="cancellationToken">Stops waiting (the reload goes on in the primary).</param>
    /// <returns>The outcome; <see cref="ControlResult.Generation"/> is the new generation.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the outcome.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public Task<ControlResult> ReloadAsync(Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        OperationAsync(new ControlRequest.Reload(), onProgress, null, cancellationToken);

    /// <summary>
    /// Starts a rolling reload and returns once the primary accepted it (outcome <c>accepted</c>); the reload goes on in
    /// the primary (<see cref="GetStatusAsync"/> shows it as the running operation).
    /// </summary>
    /// <param name="onProgress">Called with each progress line up to the acceptance.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The acceptance, or the outcome when the primary answered with one at once.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the acceptance.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public async Task<ControlResult> StartReloadAsync(Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default)
    {
        var last = await ExchangeAsync(new ControlRequest.Reload(), onProgress, p => p.Event == "accepted", cancellationToken).ConfigureAwait(false);
        return last switch
        {
            ControlResponse.Progress { Event: "accepted" } => new ControlResult("reload", "accepted", true),
            ControlResponse.Result result => ToResult(result),
            _ => throw ClosedEarly(),
        };
    }

    /// <summary>
    /// Re-reads the certificate files in every worker without restarting it (<c>roost reload --certs-only</c>). A worker
    /// that finds a bad new certificate keeps serving the old one (outcome <c>rejected</c>).
    /// </summary>
    /// <param name="onProgress">Called, in order, with each worker's answer.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome, with what each worker did in <see cref="ControlResult.Certificates"/>.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the outcome.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public Task<ControlResult> ReloadCertificatesAsync(Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        OperationAsync(new ControlRequest.Reload(CertsOnly: true), onProgress, null, cancellationToken);

    /// <summary>
    /// Changes the number of workers while serving (<c>roost scale N</c>): new workers count once ready, removed ones
    /// drain. The primary checks the count (1 to <see cref="ClusterOptions.MaxWorkers"/>; outcome <c>rejected</c>).
    /// </summary>
    /// <param name="workers">The worker count wanted.</param>
    /// <param name="onProgress">Called, in order, with each progress line.</param>
    /// <param name="cancellationToken">Stops waiting (the scale goes on in the primary).</param>
    /// <returns>The outcome, with the counts before and after.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the outcome.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public Task<ControlResult> ScaleAsync(int workers, Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        OperationAsync(new ControlRequest.Scale(Workers: workers), onProgress, null, cancellationToken);

    /// <summary>Adds (positive <paramref name="delta"/>) or removes (negative) workers while serving (<c>roost scale +N|-N</c>).</summary>
    /// <param name="delta">How many workers to add or remove.</param>
    /// <param name="onProgress">Called, in order, with each progress line.</param>
    /// <param name="cancellationToken">Stops waiting (the scale goes on in the primary).</param>
    /// <returns>The outcome, with the counts before and after.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the outcome.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public Task<ControlResult> ScaleByAsync(int delta, Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        OperationAsync(new ControlRequest.Scale(Delta: delta), onProgress, null, cancellationToken);

    /// <summary>
    /// Replaces one serving worker (<c>roost top</c>'s recycle key): its successor starts in the same slot, and once it is
    /// ready the old worker drains. The outcome is <c>recycled</c>, <c>aborted</c> (the successor failed; the old worker
    /// keeps serving), <c>rejected</c> (no such serving worker) or <c>busy</c> (another operation runs).
    /// </summary>
    /// <param name="workerId">The worker's id (<see cref="WorkerStatus.Id"/>).</param>
    /// <param name="onProgress">Called, in order, with each progress line.</param>
    /// <param name="cancellationToken">Stops waiting (the recycle goes on in the primary).</param>
    /// <returns>The outcome; <see cref="ControlResult.Generation"/> is the successor's generation.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before the outcome.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public Task<ControlResult> RecycleAsync(int workerId, Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        OperationAsync(new ControlRequest.Recycle(workerId), onProgress, null, cancellationToken);

    /// <summary>
    /// Stops the primary gracefully (like SIGTERM) and waits until it has exited: workers drain, in-flight requests
    /// finish. The outcome is <c>stopped</c> with the primary's exit code, or <c>exited</c> when the primary exited
    /// before its last line arrived.
    /// </summary>
    /// <param name="drainTimeout">How long in-flight requests get for this stop; the primary's drain timeout when <see langword="null"/>.</param>
    /// <param name="onProgress">Called, in order, with each progress line.</param>
    /// <param name="cancellationToken">Stops waiting (the stop goes on).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ControlConnectException">No primary answers on the socket.</exception>
    /// <exception cref="ControlRefusedException">The primary refused the request.</exception>
    /// <exception cref="IOException">The connection closed before any answer.</exception>
    /// <exception cref="InvalidDataException">A reply line is not a control response (another Roost version).</exception>
    public async Task<ControlResult> StopAsync(TimeSpan? drainTimeout = null, Action<ControlProgress>? onProgress = null, CancellationToken cancellationToken = default)
    {
        var last = await ExchangeAsync(new ControlRequest.Stop(drainTimeout?.TotalSeconds), onProgress, null, cancellationToken).ConfigureAwait(false);
        return last switch
        {
            ControlResponse.Result result => ToResult(result),

            // The connection ended with the primary's exit before its last line arrived.
            ControlResponse.Progress => new ControlResult("stop", "exited", true),
            _ => throw ClosedEarly(),
        };
    }

    private async Task<ControlResult> OperationAsync(ControlRequest request, Action<ControlProgress>? onProgress, Func<ControlProgress, bool>? stopAfter, CancellationToken cancellationToken)
    {
        var last = await ExchangeAsync(request, onProgress, stopAfter, cancellationToken).ConfigureAwait(false);
        return last is ControlResponse.Result result ? ToResult(result) : throw ClosedEarly();
    }

    /// <summary>
    /// Connects, sends <paramref name="request"/>, hands each progress line to <paramref name="onProgress"/> and returns
    /// the last line: when the primary closes the connection, or after the progress line <paramref name="stopAfter"/>
    /// picks. An <c>error</c> line throws <see cref="ControlRefusedException"/>.
    /// </summary>
    private async Task<ControlResponse?> ExchangeAsync(
        ControlRequest request, Action<ControlProgress>? onProgress, Func<ControlProgress, bool>? stopAfter, CancellationToken cancellationToken)
    {
        using var socket = Connect();
        ControlResponse? last = null;
        try
        {
            await foreach (var response in ReadAnswerAsync(socket, SocketPath, request, cancellationToken).ConfigureAwait(false))
            {
                last = response;
                switch (response)
                {
                    case ControlResponse.Error error:
                        throw new ControlRefusedException(error.Code, error.Message);
                    case ControlResponse.Progress line:
                        var progress = new ControlProgress(line.Event, line.Message, line.WorkerId, line.Pid, line.Generation);
                        onProgress?.Invoke(progress);
                        if (stopAfter?.Invoke(progress) == true)
                        {
                            return last;
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException || (ex is IOException && ex is not ControlConnectException))
        {
            // The primary went away mid-answer.
            throw new IOException(ClusterErrorMessages.ConnectionClosed(SocketPath) + $" ({ex.Message})", ex);
        }

        return last;
    }

    /// <exception cref="ControlConnectException">Nothing is there, or nobody answers (stale), or access is denied.</exception>
    private Socket Connect()
    {
        // No File.Exists first: for another user a 0700 directory hides the file, and connect tells EACCES apart.
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new ControlConnectException(ControlConnectFailure.Stale, ClusterErrorMessages.StaleSocket(SocketPath), SocketPath, ex),
                SocketError.AccessDenied => AccessDenied(ex),
                _ => new ControlConnectException(ControlConnectFailure.NotRunning, ClusterErrorMessages.NoPrimary(SocketPath, DefaultBaseDirectory), SocketPath, ex),
            };
        }
        catch (UnauthorizedAccessException ex)
        {
            socket.Dispose();
            throw AccessDenied(ex);
        }
    }

    private ControlConnectException AccessDenied(Exception cause) =>
        new(ControlConnectFailure.AccessDenied, ClusterErrorMessages.SocketAccessDenied(SocketPath), SocketPath, cause);

    /// <summary>Sends the request, then yields every line until the primary closes the connection.</summary>
    private static async IAsyncEnumerable<ControlResponse> ReadAnswerAsync(Socket socket, string socketPath, ControlRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
        try
        {
            await socket.SendAsync(line.Append((byte)'\n').ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // The primary answered and closed before reading (a refused peer): its answer is still there to read.
        }

        using var stream = new NetworkStream(socket, ownsSocket: false);
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
                throw new InvalidDataException(ClusterErrorMessages.ReplyUnreadable(socketPath, text, ex.Message), ex);
            }

            if (response is not null)
            {
                yield return response;
            }
        }
    }

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

    private static ControlResult ToResult(ControlResponse.Result result) => new(result.Operation, result.Outcome, result.Ok)
    {
        Message = result.Message,
        Generation = result.Generation,
        Workers = result.Workers,
        Previous = result.Previous,
        ExitCode = result.ExitCode,
        Certificates = result.Certificates ?? [],
    };

    private static IEnumerable<string> Names(IEnumerable<string> directories) => directories.Select(Path.GetFileName).OfType<string>();

    private static string ThrowIfEmpty(string instanceDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceDirectory);
        return instanceDirectory;
    }

    private IOException ClosedEarly() => new(ClusterErrorMessages.ConnectionClosed(SocketPath));
}
