using System.Runtime.InteropServices;

namespace Roost.Server.Internal;

/// <summary>
/// Registers a signal handler that works even when the process inherited the signal as ignored, as nginx, Go's
/// <c>signal.Notify</c> and Python's <c>signal.signal</c> do. Linux only (struct sigaction layout below); elsewhere it
/// registers as usual.
/// </summary>
/// <remarks>
/// <para>Why: <c>nohup</c> starts its command with SIGHUP ignored, and a script's <c>cmd &amp;</c> with SIGINT and SIGQUIT
/// ignored; an ignored disposition survives exec. .NET respects it: System.Native's <c>InstallSignalHandler</c>
/// (pal_signal.c) finds SIG_IGN, records the signal as handled and installs nothing, so a
/// <see cref="PosixSignalRegistration"/> never fires — <c>kill -HUP</c> to a primary started under nohup did nothing.</para>
/// <para>How: (1) if the signal is ignored, set the default action back; (2) register, which installs the runtime's handler;
/// (3) check that a handler is installed. The runtime reads a signal's disposition once; SIGINT it reads when it first
/// sets up signal handling (first console write, first <c>Process.Start</c>), which may be long before. When step 3
/// finds no handler, the signal is set back to ignored (the default action would end the process without a drain) and
/// the caller reports it. Between steps 1 and 2 (microseconds, once) the signal would end the process.</para>
/// </remarks>
internal static unsafe partial class InheritedSignals
{
    // sa_handler values of <signal.h>.
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary>
    /// Gives SIGINT its default action back when it was inherited as ignored. Call it first thing in <c>Main</c>, before
    /// the runtime records SIGINT's disposition (see the remarks); <see cref="Register"/> then takes it like the others.
    /// Only SIGINT: SIGHUP and SIGTERM are taken at registration, so a process started under nohup is not left
    /// open to a hang-up while it starts.
    /// </summary>
    public static void ResetIgnoredInterrupt()
    {
        if (OperatingSystem.IsLinux() && Handler(Number(PosixSignal.SIGINT)) == SigIgn)
        {
            SetHandler(Number(PosixSignal.SIGINT), SigDfl);
        }
    }

    /// <summary>Registers <paramref name="handler"/> for <paramref name="signal"/>, taking it back from "ignored" first.</summary>
    /// <exception cref="IOException">sigaction failed.</exception>
    public static PosixSignalRegistration Register(PosixSignal signal, Action<PosixSignalContext> handler, out SignalTakeover outcome)
    {
        var number = Number(signal);
        if (!OperatingSystem.IsLinux() || number == 0 || Handler(number) != SigIgn)
        {
            outcome = SignalTakeover.AsInherited;
            return PosixSignalRegistration.Create(signal, handler);
        }

        SetHandler(number, SigDfl);
        var registration = PosixSignalRegistration.Create(signal, handler);
        if (Handler(number) is not (SigDfl or SigIgn))
        {
            outcome = SignalTakeover.TakenFromIgnored;
            return registration;
        }

        SetHandler(number, SigIgn);
        outcome = SignalTakeover.StillIgnored;
        return registration;
    }

    /// <summary>The Linux signal number (the three this class is used for; 0 for others).</summary>
    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => 0,
    };

    private static nint Handler(int signal)
    {
        SigAction current = default;
        if (SigActionCall(signal, null, &current) != 0)
        {
            throw new IOException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return current.Handler;
    }

    private static void SetHandler(int signal, nint handler)
    {
        SigAction action = default;
        action.Handler = handler;
        if (SigActionCall(signal, &action, null) != 0)
        {
            throw new IOException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigActionCall(int signal, SigAction* action, SigAction* previous);

    /// <summary>
    /// struct sigaction: sa_handler comes first in glibc and musl on x86-64 and arm64, and is all this code reads or
    /// sets; the zeroed rest is an empty sa_mask and no sa_flags. 256 bytes covers every layout (glibc's is 152).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct SigAction
    {
        public nint Handler;
    }
}
