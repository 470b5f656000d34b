namespace Roost.FuzzTargets;

/// <summary>A target's invariant failed: the input made the code under test do something it must never do.</summary>
public sealed class FuzzInvariantException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FuzzInvariantException()
    {
    }

    /// <summary>Creates the exception with what was violated.</summary>
    public FuzzInvariantException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with what was violated and the exception that showed it.</summary>
    public FuzzInvariantException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void That(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(invariant);
        }
    }
}
