using Roost.Tls.Resumption;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The instance's TLS session ticket keys and when they rotate next (docs/tls.md, "Session resumption"): made in memory
/// on first use (or read from the operator's key file), rotated at <see cref="ClusterOptions.SessionTicketKeyRotation"/>
/// (never with a key file: the operator rotates), read again from the key file on a rolling reload. Owned by the
/// supervisor loop (Supervisor.TicketKeys.cs sends them and logs; this keeps the keys and the schedule).
/// </summary>
internal sealed class TicketKeyDistribution(ClusterOptions options, TimeProvider time)
{
    private TicketKeyRing? _keys;
    private DateTimeOffset _nextRotation;

    /// <summary>Gets the keys, made (or read) on first use; a bad key file throws <see cref="InvalidOperationException"/>.</summary>
    public TicketKeyRing Keys
    {
        get
        {
            if (_keys is null)
            {
                _keys = options.SessionTicketKeyFile is { } file
                    ? TicketKeyFile.Load(file, 0, "--ticket-key-file")
                    : TicketKeyRing.Create();
                _nextRotation = time.GetUtcNow() + options.SessionTicketKeyRotation;
            }

            return _keys;
        }
    }

    /// <summary>Returns the rotated keys when the rotation interval has passed (none before the first use, none with a key file); otherwise <see langword="null"/>.</summary>
    public TicketKeyRing? RotateIfDue()
    {
        if (_keys is null || options.SessionTicketKeyFile is not null || time.GetUtcNow() < _nextRotation)
        {
            return null;
        }

        _keys = _keys.Rotate();
        _nextRotation = time.GetUtcNow() + options.SessionTicketKeyRotation;
        return _keys;
    }

    /// <summary>
    /// Reads the key file again (a rolling reload) and returns the new keys; <see langword="null"/> without a key file
    /// or before the first use. A bad file throws <see cref="InvalidOperationException"/> and the old keys stay.
    /// </summary>
    public TicketKeyRing? ReloadFile()
    {
        if (options.SessionTicketKeyFile is not { } file || _keys is null)
        {
            return null;
        }

        _keys = TicketKeyFile.Load(file, _keys.Generation + 1, "--ticket-key-file");
        return _keys;
    }
}
