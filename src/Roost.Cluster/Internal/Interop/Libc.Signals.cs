using System.Runtime.InteropServices;

namespace Roost.Internal.Interop;

/// <summary>Signal dispositions (sigaction) and the monotonic clock systemd's reload protocol is stamped with.</summary>
internal static unsafe partial class Libc
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int ClockMonotonic = 1;

    // sa_handler values of <signal.h>.
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary>What a signal does to this process now.</summary>
    public enum SignalDisposition
    {
        /// <summary>The default action (for SIGHUP, SIGINT and SIGTERM: the process ends).</summary>
        Default,

        /// <summary>Discarded by the kernel: no handler runs (<c>nohup</c> leaves SIGHUP so; a script's <c>cmd &amp;</c> leaves SIGINT so).</summary>
        Ignored,

        /// <summary>A handler is installed (the runtime's, once a <c>PosixSignalRegistration</c> took the signal).</summary>
        Handled,
    }

    /// <summary>Gets what <paramref name="signal"/> does now.</summary>
    /// <exception cref="IOException">sigaction failed (an invalid signal number).</exception>
    public static SignalDisposition GetSignalDisposition(int signal)
    {
        SigAction current = default;
        if (SigActionCall(signal, null, &current) != 0)
        {
            throw new IOException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return current.Handler switch
        {
            SigDfl => SignalDisposition.Default,
            SigIgn => SignalDisposition.Ignored,
            _ => SignalDisposition.Handled,
        };
    }

    /// <summary>Sets <paramref name="signal"/> to the default action or to ignored (empty mask, no flags).</summary>
    /// <exception cref="IOException">sigaction failed.</exception>
    public static void SetSignalDisposition(int signal, bool ignore)
    {
        SigAction action = default;
        action.Handler = ignore ? SigIgn : SigDfl;
        if (SigActionCall(signal, &action, null) != 0)
        {
            throw new IOException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Gets CLOCK_MONOTONIC in microseconds: the clock of systemd's <c>MONOTONIC_USEC=</c>.</summary>
    public static long MonotonicMicroseconds()
    {
        TimeSpec now = default;
        if (ClockGetTime(ClockMonotonic, &now) != 0)
        {
            throw new IOException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return (now.Seconds * 1_000_000) + (now.Nanoseconds / 1_000);
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigActionCall(int signal, SigAction* action, SigAction* previous);

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    /// <summary>
    /// struct sigaction: sa_handler comes first in glibc and musl on x86-64 and arm64, and is all this code reads or
    /// sets; the zeroed rest is an empty sa_mask and no sa_flags. 256 bytes covers every layout (glibc's is 152).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct SigAction
    {
        public nint Handler;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
