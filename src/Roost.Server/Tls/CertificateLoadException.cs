namespace Roost.Tls;

/// <summary>
/// TLS material could not be turned into a usable certificate: a file is missing or empty, holds no certificate or
/// key, the key does not match the certificate, or a passphrase is missing or wrong.
/// </summary>
/// <remarks>The message names the file (as given) or the option, what was wrong and what to do.</remarks>
public sealed class CertificateLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="path">The file path as given, when the problem is with a file.</param>
    /// <param name="option">The option the material was given in, e.g. <c>Key</c> or <c>--key</c>.</param>
    /// <param name="innerException">The low-level cause, if any.</param>
    public CertificateLoadException(string message, string? path, string option, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
        Option = option;
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public CertificateLoadException(string message) : base(message)
    {
        Option = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CertificateLoadException(string message, Exception innerException) : base(message, innerException)
    {
        Option = string.Empty;
    }

    /// <summary>Creates the exception from the errors of a <see cref="CertificateCheck"/>: the message is one error per line.</summary>
    /// <param name="errors">The error findings (at least one).</param>
    /// <remarks>
    /// When a file could not be loaded at all, <see cref="Path"/>, <see cref="Option"/> and
    /// <see cref="Exception.InnerException"/> come from the first such failure (its line is also the first line).
    /// </remarks>
    public CertificateLoadException(IReadOnlyList<CertificateFinding> errors)
        : base(
            string.Join('\n', (errors ?? throw new ArgumentNullException(nameof(errors))).Select(e => e.Message)),
            errors.Select(e => e.Cause).FirstOrDefault(c => c is not null))
    {
        var cause = InnerException as CertificateLoadException;
        Path = cause?.Path;
        Option = cause?.Option ?? string.Empty;
        Findings = errors;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public CertificateLoadException() : this("TLS material could not be loaded.")
    {
    }

    /// <summary>Gets the file path exactly as given, or <see langword="null"/> for inline material.</summary>
    public string? Path { get; }

    /// <summary>Gets the option that held the bad material (<c>Cert</c>, <c>Key</c>, <c>Ca</c>, <c>Pfx</c>, <c>Passphrase</c>).</summary>
    public string Option { get; }

    /// <summary>Gets the checker's error findings when the exception comes from <see cref="CertificateCheck"/>; otherwise empty.</summary>
    public IReadOnlyList<CertificateFinding> Findings { get; } = [];
}
