namespace Roost;

/// <summary>The outcome of a rolling reload (<see cref="Cluster.ReloadAsync"/>, SIGHUP to the primary).</summary>
public sealed class ReloadResult
{
    private ReloadResult(bool succeeded, int generation, int replaced, string? message)
    {
        Succeeded = succeeded;
        Generation = generation;
        Replaced = replaced;
        Message = message;
    }

    /// <summary>Gets a value indicating whether every old worker was replaced by a ready worker of the new generation.</summary>
    public bool Succeeded { get; }

    /// <summary>Gets the generation the reload started (workers it forked carry this number).</summary>
    public int Generation { get; }

    /// <summary>Gets how many old workers were replaced before the reload ended.</summary>
    public int Replaced { get; }

    /// <summary>Gets why the reload was aborted (what, which worker, what to do); <see langword="null"/> when it succeeded.</summary>
    public string? Message { get; }

    internal static ReloadResult Ok(int generation, int replaced) => new(true, generation, replaced, null);

    internal static ReloadResult Failed(int generation, string message, int replaced = 0) => new(false, generation, replaced, message);
}
