namespace Roost;

/// <summary>
/// Settings were out of range: thrown by <see cref="ServerOptions.Validate"/> (and so by the <c>CreateServer</c>
/// factories) and by <c>ClusterOptions.Validate</c> (and so by <c>Cluster.SetupPrimary</c>), with every problem found,
/// not just the first.
/// </summary>
/// <remarks>
/// The message has one line per problem, each naming the option, the value seen and what is allowed; the same lines
/// are in <see cref="Problems"/>. Setters store any value of the right type and leave the check to
/// <c>Validate</c>, so a program with three mistakes learns about all three at once (docs/facade.md, "Options: every mistake at once").
/// </remarks>
public sealed class InvalidOptionsException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="problems"/>, one line each.</summary>
    /// <param name="problems">The problems; at least one.</param>
    public InvalidOptionsException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems ?? throw new ArgumentNullException(nameof(problems))))
    {
        Problems = [.. problems];
    }

    /// <summary>Creates the exception.</summary>
    public InvalidOptionsException() : this(["The options are invalid."])
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The problem.</param>
    public InvalidOptionsException(string message) : this([message])
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidOptionsException(string message, Exception? innerException) : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Gets every problem found, one sentence each, in the order the options were checked.</summary>
    public IReadOnlyList<string> Problems { get; }
}
