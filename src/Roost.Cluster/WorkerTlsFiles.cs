using System.Security.Cryptography;
using System.Text;
using Roost.Clustering.Internal.Ipc;
using Roost.Tls;

namespace Roost;

/// <summary>
/// The TLS files of workers started as another user (<see cref="ClusterOptions.WorkerUser"/>), which need not be
/// able to read them: the primary (as root) reads them at every worker start and before every certificate reload and
/// sends them over the worker's channel; the worker's <see cref="TlsInput.FromFile"/> then reads those contents, never
/// the disk. With <see cref="Watch"/>, the primary also notices renewals (the workers' own file watchers cannot read
/// the files) and pushes the new contents to every worker followed by a certificate reload.
/// </summary>
/// <param name="paths">Every file the workers' servers read, spelled exactly as the workers spell them.</param>
/// <param name="watch">Whether renewed files are pushed to running workers (<c>--watch</c>, the default).</param>
public sealed class WorkerTlsFiles(IReadOnlyList<string> paths, bool watch)
{
    /// <summary>The files <paramref name="options"/> reads (certificates, keys, chains, PFX, SNI entries, client CAs), as the workers' options name them.</summary>
    /// <param name="options">The workers' server options (built the same way in the primary and in every worker).</param>
    /// <param name="watch">Whether renewed files are pushed to running workers.</param>
    /// <returns>The files.</returns>
    public static WorkerTlsFiles From(SecureServerOptions options, bool watch) => new(TlsFileStore.PathsOf(options), watch);

    /// <summary>Gets the paths as given.</summary>
    public IReadOnlyList<string> Paths { get; } = paths;

    /// <summary>Gets a value indicating whether renewed files are pushed to running workers.</summary>
    public bool Watch { get; } = watch;

    /// <summary>Reads every file now; a file that cannot be read is sent as its error (the worker reports it naming the file).</summary>
    internal TlsFilesMessage Read() => new([.. Paths.Select(ReadOne)]);

    /// <summary>A digest of the files' current contents (SHA-256; a missing or unreadable file counts as its error), to notice renewals.</summary>
    internal string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Paths.Select(ReadOne))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{file.Path}\n{file.Data?.Length ?? -1}\n{file.Error}\n"));
            if (file.Data is { } data)
            {
                hash.AppendData(data);
                CryptographicOperations.ZeroMemory(data);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static TlsFileContent ReadOne(string path)
    {
        try
        {
            return new TlsFileContent(path, File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new TlsFileContent(path, Error: ex.Message);
        }
    }
}
