using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Ipc;
using Roost.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// What the supervisor keeps about its workers' certificates (Supervisor.Privileges.cs, Supervisor.Certificates.cs):
/// the watch of the TLS files it reads for workers started as another user — the contents last sent and a new one
/// seen once — and the certificate reloads still waiting for workers' answers, by request id. Used on the loop only.
/// </summary>
internal sealed class CertificateDistribution
{
    private readonly Dictionary<int, CertificateReloadOperation> _reloads = [];

    // The check reads the files once per tick; a change counts when two ticks in a row saw the same new contents, so
    // a renewal caught half-written (certificate written, key not yet) is not pushed.
    private string? _fingerprint;
    private string? _candidate;
    private int _nextRequest;

    /// <summary>Reads <paramref name="files"/> for a worker; the first read is what <see cref="HasSettledChange"/> compares with.</summary>
    public TlsFilesMessage Read(WorkerTlsFiles files)
    {
        _fingerprint ??= files.Fingerprint();
        return files.Read();
    }

    /// <summary>
    /// Whether <paramref name="files"/> changed since they were last sent and read the same as at the previous check
    /// (then they are the new baseline); <see langword="false"/> before the first <see cref="Read"/>.
    /// </summary>
    public bool HasSettledChange(WorkerTlsFiles files)
    {
        if (_fingerprint is null)
        {
            return false;
        }

        var now = files.Fingerprint();
        if (now == _fingerprint)
        {
            _candidate = null;
            return false;
        }

        if (now != _candidate)
        {
            _candidate = now;
            return false;
        }

        _fingerprint = now;
        _candidate = null;
        return true;
    }

    /// <summary>Registers a certificate reload; returns its request id.</summary>
    public int AddReload(CertificateReloadOperation operation)
    {
        var id = ++_nextRequest;
        _reloads[id] = operation;
        return id;
    }

    /// <summary>Gets the reload with request id <paramref name="id"/>, while it waits.</summary>
    public bool TryGetReload(int id, out CertificateReloadOperation operation) => _reloads.TryGetValue(id, out operation!);

    /// <summary>The reloads whose deadline passed at <paramref name="now"/>.</summary>
    public IReadOnlyList<(int Id, CertificateReloadOperation Operation)> Overdue(DateTimeOffset now) =>
        [.. _reloads.Where(r => now > r.Value.Deadline).Select(r => (r.Key, r.Value))];

    /// <summary>Forgets a finished reload.</summary>
    public void RemoveReload(int id) => _reloads.Remove(id);
}

/// <summary>One certificate reload: who asked, until when the workers may answer, who has not yet, and what those that did said.</summary>
internal sealed class CertificateReloadOperation(ControlSession? session, DateTimeOffset deadline)
{
    /// <summary>Gets the control session that asked, or <see langword="null"/> when the primary saw renewed TLS files.</summary>
    public ControlSession? Session { get; } = session;

    public DateTimeOffset Deadline { get; } = deadline;

    public Dictionary<int, WorkerProcess> Waiting { get; } = [];

    public List<WorkerCertificates> Results { get; } = [];
}
