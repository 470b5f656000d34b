namespace Roost.Tls;

/// <summary>
/// The TLS files of a worker that runs as another user (<c>roost serve|run --user</c>): their contents as the primary
/// read them (as root) and sent over the worker's IPC channel. Once <see cref="Provide"/> was called, every
/// <see cref="TlsInput.FromFile"/> of this process reads from here and never from disk: the worker cannot read the key
/// files (they stay readable only by root) and must not try. Paths are matched exactly as the primary and the worker
/// both spell them (the same command line), so every message still names the file as given.
/// </summary>
/// <remarks>The contents live only in this process's memory; they are never written anywhere or logged.</remarks>
internal static class TlsFileStore
{
    private static volatile Dictionary<string, (byte[]? Data, string? Error)>? _files;

    /// <summary>Gets a value indicating whether the files come from the primary (this process runs as <c>--user</c>).</summary>
    public static bool IsProvided => _files is not null;

    /// <summary>Replaces the provided files (at start, and before each certificate reload the primary asks for).</summary>
    /// <param name="files">Path as given → contents, or the error the primary met reading it.</param>
    public static void Provide(IEnumerable<(string Path, byte[]? Data, string? Error)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = files.ToDictionary(f => f.Path, f => (f.Data, f.Error), StringComparer.Ordinal);
    }

    /// <summary>Reads <paramref name="path"/> from the provided files.</summary>
    /// <returns><see langword="false"/> when files are not provided (read the disk).</returns>
    /// <exception cref="CertificateLoadException">The primary could not read the file, or did not send it.</exception>
    internal static bool TryRead(string path, string option, out byte[] bytes)
    {
        var files = _files;
        if (files is null)
        {
            bytes = [];
            return false;
        }

        if (!files.TryGetValue(path, out var file))
        {
            throw new CertificateLoadException(ErrorMessages.TlsFileNotProvided(path, option), path, option);
        }

        if (file.Data is null)
        {
            throw new CertificateLoadException(ErrorMessages.TlsFileUnreadable(path, option, file.Error ?? "the primary could not read it."), path, option);
        }

        bytes = file.Data;
        return true;
    }

    /// <summary>Every file path <paramref name="options"/> reads: certificates, keys, chains, PFX, SNI entries and client CAs.</summary>
    public static IReadOnlyList<string> PathsOf(SecureServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IEnumerable<TlsInput?> inputs = [.. Inputs(options.Tls), .. options.SniCertificates.Values.SelectMany(Inputs), .. options.ClientCertificateAuthorities];
        return [.. inputs.Select(i => i?.Path).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    private static IEnumerable<TlsInput?> Inputs(CertificateSource source) => [source.Cert, source.Key, source.Pfx, .. source.Ca];
}
