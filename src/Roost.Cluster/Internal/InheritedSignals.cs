using System.Runtime.InteropServices;
using Roost.Internal.Interop;

namespace Roost.Internal;

/// <summary>What <see cref="InheritedSignals.Register"/> found and did.</summary>
internal enum SignalTakeover
{
    /// <summary>The signal was not ignored: registered as usual.</summary>
    AsInherited,

    /// <summary>The signal was inherited as ignored; it is handled now.</summary>
    TakenFromIgnored,

    /// <summary>The signal was inherited as ignored and the runtime could not take it; it stays ignored.</summary>
    StillIgnored,
}

/// <summary>
/// Registers a signal handler that works even when the process inherited the signal as ignored, as nginx, Go's
/// <c>signal.Notify</c> and Python's <c>signal.signal</c> do.
/// </summary>
/// <remarks>
/// <para>Why: <c>nohup</c> starts its command with SIGHUP ignored, and a script's <c>cmd &amp;</c> with SIGINT and SIGQUIT
/// ignored; an ignored disposition survives exec. .NET respects it: System.Native's <c>InstallSignalHandler</c>
/// (pal_signal.c) finds SIG_IGN, records the signal as handled and installs nothing, so a
/// <see cref="PosixSignalRegistration"/> never fires — <c>kill -HUP</c> to a primary started under nohup did nothing.</para>
/// <para>How: (1) if the signal is ignored, set the default action back; (2) register, which installs the runtime's handler;
/// (3) check that a handler is installed. The runtime reads a signal's disposition once; SIGINT it reads when it first
/// sets up signal handling (first console write, first <c>Process.Start</c>), which may be before the cluster starts.
/// When step 3 finds no handler, the signal is set back to ignored (the default action would end the primary without
/// a drain) and the caller reports it. Between steps 1 and 2 (microseconds, once) the signal would end the process.</para>
/// </remarks>
internal static class InheritedSignals
{
    /// <summary>
    /// Gives SIGINT its default action back when it was inherited as ignored. Call it first thing in <c>Main</c>, before
    /// the runtime records SIGINT's disposition (see the remarks); <see cref="Register"/> then takes it like the others.
    /// Only SIGINT: SIGHUP and SIGTERM are taken at registration, so a process started under nohup is not left
    /// open to a hang-up while it starts.
    /// </summary>
    public static void ResetIgnoredInterrupt()
    {
        if (!OperatingSystem.IsWindows() && Libc.GetSignalDisposition(Libc.SigInt) == Libc.SignalDisposition.Ignored)
        {
            Libc.SetSignalDisposition(Libc.SigInt, ignore: false);
        }
    }

    /// <summary>Registers <paramref name="handler"/> for <paramref name="signal"/> (number <paramref name="number"/>), taking it back from "ignored" first.</summary>
    public static PosixSignalRegistration Register(PosixSignal signal, int number, Action<PosixSignalContext> handler, out SignalTakeover outcome)
    {
        if (OperatingSystem.IsWindows() || Libc.GetSignalDisposition(number) != Libc.SignalDisposition.Ignored)
        {
            outcome = SignalTakeover.AsInherited;
            return PosixSignalRegistration.Create(signal, handler);
        }

        Libc.SetSignalDisposition(number, ignore: false);
        var registration = PosixSignalRegistration.Create(signal, handler);
        if (Libc.GetSignalDisposition(number) == Libc.SignalDisposition.Handled)
        {
            outcome = SignalTakeover.TakenFromIgnored;
            return registration;
        }

        Libc.SetSignalDisposition(number, ignore: true);
        outcome = SignalTakeover.StillIgnored;
        return registration;
    }
}
