using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>The monotonic clock systemd's reload protocol is stamped with.</summary>
internal static unsafe partial class Libc
{
    public const int ClockMonotonic = 1;

    /// <summary>Gets CLOCK_MONOTONIC in microseconds: the clock of systemd's <c>MONOTONIC_USEC=</c>.</summary>
    /// <exception cref="IOException">clock_gettime failed.</exception>
    public static long MonotonicMicroseconds()
    {
        TimeSpec now = default;
        if (ClockGetTime(ClockMonotonic, &now) != 0)
        {
            throw new IOException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return (now.Seconds * 1_000_000) + (now.Nanoseconds / 1_000);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
