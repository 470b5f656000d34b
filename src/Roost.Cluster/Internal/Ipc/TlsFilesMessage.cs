namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Primary → worker started with <c>--user</c>: the contents of every TLS file the worker's servers read, as the primary
/// (root) read them. Sent first at every start (workers, respawns, spares, reloads, scale-ups) and again before each
/// <see cref="ReloadCertificatesMessage"/>; the worker reads no TLS file itself (docs/deploy.md, "Privilege drop").
/// </summary>
/// <param name="Files">One entry per path, as given on the command line or in roost.json.</param>
internal sealed record TlsFilesMessage(IReadOnlyList<TlsFileContent> Files) : IpcMessage
{
    /// <summary>Never prints the contents (a private key): only the paths and sizes.</summary>
    public override string ToString() => $"TlsFilesMessage {{ {string.Join(", ", Files)} }}";
}

/// <summary>One TLS file: its path as given, and its bytes or why the primary could not read it.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Data">The file's bytes, or <see langword="null"/> when it could not be read.</param>
/// <param name="Error">Why it could not be read, or <see langword="null"/>.</param>
internal sealed record TlsFileContent(string Path, byte[]? Data = null, string? Error = null)
{
    /// <summary>Never prints the contents (a private key): only the path and the size.</summary>
    public override string ToString() => Data is null ? $"'{Path}' (unreadable: {Error})" : $"'{Path}' ({Data.Length} bytes)";
}
