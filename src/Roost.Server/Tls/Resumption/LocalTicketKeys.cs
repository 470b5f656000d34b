using Roost.Server.Internal;

namespace Roost.Tls.Resumption;

/// <summary>
/// The ticket keys of a process that is not a cluster worker (<c>roost serve --workers 0</c>, the façade): made here
/// and rotated on a timer, or read from the operator's key file. A worker's keys come from its primary instead.
/// </summary>
internal static class LocalTicketKeys
{
    private static readonly Lock Gate = new();
    private static Timer? _rotation;

    /// <summary>Installs this process's keys once (the first server's settings apply); throws for a bad key file.</summary>
    public static void Start(SecureServerOptions options)
    {
        if (ListenHandles.Provider is not null || SessionTicketKeys.FromPrimary)
        {
            return;
        }

        lock (Gate)
        {
            if (SessionTicketKeys.Current is not null)
            {
                return;
            }

            if (options.SessionTicketKeyFile is { } file)
            {
                SessionTicketKeys.InstallLocal(TicketKeyFile.Load(file, 0, "SessionTicketKeyFile"));
                return;
            }

            SessionTicketKeys.InstallLocal(TicketKeyRing.Create());
            var interval = options.SessionTicketKeyRotation;
            _rotation = new Timer(static _ => Rotate(), null, interval, interval);
        }
    }

    private static void Rotate()
    {
        if (SessionTicketKeys.Current is { } ring && !SessionTicketKeys.FromPrimary)
        {
            SessionTicketKeys.InstallLocal(ring.Rotate());
        }
    }
}
