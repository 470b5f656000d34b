namespace Roost.FuzzTargets;

/// <summary>Runs one input through the code under test; throws when an invariant fails or an unexpected exception escapes.</summary>
public delegate void FuzzInput(ReadOnlySpan<byte> data);

/// <summary>One fuzz target: a name (the corpus folder's name) and the function that checks one input.</summary>
/// <param name="Name">The name used by fuzz/run.sh and as the folder under fuzz/corpus and fuzz/regressions.</param>
/// <param name="Description">What the target feeds and what it checks.</param>
/// <param name="Run">Checks one input.</param>
public sealed record FuzzTarget(string Name, string Description, FuzzInput Run)
{
    /// <summary>Every target, by name.</summary>
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("ipc", "IPC frame reader and codec: framing, limits, whole vs split reads, decode/encode round trip", IpcTarget.Run),
        new("control", "control socket request parsing: never throws, round trip of accepted requests", ControlTarget.Run),
        new("clienthello", "ClientHelloPeek.Inspect: never throws, split reads agree, bounded look-ahead", ClientHelloTarget.Run),
        new("certificate", "CertificateLoader on PEM/DER/PFX bytes: only CertificateLoadException naming the input", CertificateTarget.Run),
    ];

    /// <summary>The target called <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
