using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Roost.Clustering.Internal.Systemd;

/// <summary>
/// systemd's notify protocol (sd_notify(3)) without libsystemd: one unix datagram per state change to the socket named
/// by <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> for an abstract socket), plus the watchdog interval from
/// <c>WATCHDOG_USEC</c> (honoured only when <c>WATCHDOG_PID</c> is unset or names this process, as sd_watchdog_enabled does).
/// </summary>
/// <remarks>
/// Sending never blocks the caller for long and never throws: a full or vanished socket loses a status line, not the
/// primary (sd_notify is "fire and forget" too). The first failure is kept in <see cref="LastError"/> for one log line.
/// </remarks>
internal sealed class SystemdNotifier : IDisposable
{
    /// <summary>The variables systemd sets for the main process; workers must not see them (they would speak for the service).</summary>
    public static readonly string[] Variables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    private SystemdNotifier(Socket socket, UnixDomainSocketEndPoint endPoint, string address, TimeSpan? watchdogInterval)
    {
        _socket = socket;
        _endPoint = endPoint;
        Address = address;
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>Gets <c>NOTIFY_SOCKET</c> as given.</summary>
    public string Address { get; }

    /// <summary>Gets <c>WATCHDOG_USEC</c> when the watchdog is on for this process; <see langword="null"/> otherwise.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Gets the first send failure (for one log line), or <see langword="null"/>.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Returns a notifier for <c>NOTIFY_SOCKET</c>, or <see langword="null"/> when it is unset (not started by systemd
    /// with <c>Type=notify</c>) or names something other than a unix socket (<paramref name="unsupported"/> then says what).
    /// </summary>
    public static SystemdNotifier? Create(Func<string, string?> environment, int pid, out string? unsupported)
    {
        unsupported = null;
        var address = environment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        if (address[0] is not ('/' or '@'))
        {
            // systemd also knows vsock: addresses (virtual machines); a service on the host never gets one.
            unsupported = address;
            return null;
        }

        // '@' marks an abstract socket: its name starts with a NUL byte.
        var endPoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        return new SystemdNotifier(socket, endPoint, address, ParseWatchdog(environment("WATCHDOG_USEC"), environment("WATCHDOG_PID"), pid));
    }

    /// <summary>Reads <c>WATCHDOG_USEC</c>; <see langword="null"/> when unset, invalid, zero, or meant for another pid.</summary>
    internal static TimeSpan? ParseWatchdog(string? microseconds, string? watchdogPid, int pid)
    {
        if (!long.TryParse(microseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(watchdogPid) &&
            (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || expected != pid))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec);
    }

    /// <summary>Sends one datagram (newline-separated <c>KEY=value</c> assignments); returns whether it was sent.</summary>
    public bool Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
            return true;
        }
        catch (SocketException ex)
        {
            // systemd gone, socket full (EAGAIN) or no permission: the service runs on, its status in systemd is stale.
            LastError ??= $"{ex.SocketErrorCode}: {ex.Message}";
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
