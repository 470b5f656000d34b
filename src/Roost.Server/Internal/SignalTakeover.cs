namespace Roost.Server.Internal;

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
