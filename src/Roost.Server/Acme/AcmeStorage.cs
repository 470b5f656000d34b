using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Roost.Acme;

/// <summary>The account as stored: which CA, which account URL, which contact.</summary>
internal sealed record AcmeAccountRecord(string Directory, string Url, string? Email, DateTimeOffset CreatedAt);

/// <summary>
/// The state of one managed certificate, written next to it for <c>roost cert status</c> and for restarts: what was
/// issued, when the next renewal attempt is, and the last error.
/// </summary>
internal sealed record AcmeCertificateState
{
    public IReadOnlyList<string> Names { get; init; } = [];

    public string? Issuer { get; init; }

    public string? SerialNumber { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public DateTimeOffset? NextAttempt { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    public int FailedAttempts { get; init; }

    /// <summary>The serial of the development chain put in place of a certificate not issued yet (<c>--acme-fallback dev</c>); such a file counts as no certificate.</summary>
    public string? PlaceholderSerial { get; init; }

    /// <summary>The CA's suggested renewal window for the current certificate (ACME ARI, RFC 9773), when it offers one.</summary>
    public AcmeRenewalWindow? RenewalWindow { get; init; }

    /// <summary>When to ask the CA for renewal information again.</summary>
    public DateTimeOffset? RenewalInfoCheckAt { get; init; }
}

/// <summary>
/// Where ACME state lives, under one folder (default <c>~/.local/share/roost/acme</c>, <c>/var/lib/roost/acme</c> as
/// root):
/// <code>
/// &lt;dir&gt;/&lt;ca&gt;/account.key             the account key (0600)
/// &lt;dir&gt;/&lt;ca&gt;/account.json            the account URL
/// &lt;dir&gt;/&lt;ca&gt;/&lt;first name&gt;/cert.pem   the certificate, then its chain (what --cert would be given)
/// &lt;dir&gt;/&lt;ca&gt;/&lt;first name&gt;/key.pem    its key (0600)
/// &lt;dir&gt;/&lt;ca&gt;/&lt;first name&gt;/state.json names, expiry, next attempt, last error
/// &lt;dir&gt;/&lt;ca&gt;/&lt;first name&gt;/lock       held by the instance that manages these names
/// &lt;dir&gt;/&lt;ca&gt;/&lt;first name&gt;/lock.pid   its pid (for the message another instance prints)
/// </code>
/// Folders are 0700; files are replaced by writing a temporary file and renaming it over the old one, so a reader
/// (a worker's file watcher) never sees half a file.
/// </summary>
internal sealed class AcmeStorage
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public AcmeStorage(string root, string directoryUrl, string primaryName)
    {
        Root = root;
        CaFolder = Path.Combine(root, CaFolderName(directoryUrl));
        CertificateFolder = Path.Combine(CaFolder, primaryName.ToLowerInvariant());
    }

    public string Root { get; }

    public string CaFolder { get; }

    public string CertificateFolder { get; }

    public string AccountKeyPath => Path.Combine(CaFolder, "account.key");

    public string AccountPath => Path.Combine(CaFolder, "account.json");

    public string CertPath => Path.Combine(CertificateFolder, "cert.pem");

    public string KeyPath => Path.Combine(CertificateFolder, "key.pem");

    public string StatePath => Path.Combine(CertificateFolder, "state.json");

    public string LockPath => Path.Combine(CertificateFolder, "lock");

    /// <summary>The default root: <c>$ROOST_ACME_DIR</c> is read by the settings; here <c>/var/lib/roost/acme</c> for root, else the user's data folder.</summary>
    public static string DefaultRoot =>
        !OperatingSystem.IsWindows() && Environment.UserName == "root"
            ? "/var/lib/roost/acme"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "roost", "acme");

    /// <summary>A readable, stable folder name per CA: host, then the first 8 hex digits of the URL's hash (two directories on one host differ).</summary>
    public static string CaFolderName(string directoryUrl)
    {
        var uri = new Uri(directoryUrl);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directoryUrl)))[..8];
        var port = uri.IsDefaultPort ? string.Empty : "-" + uri.Port;
        return $"{uri.Host}{port}-{hash}";
    }

    /// <summary>Creates the folders (0700).</summary>
    public void EnsureFolders()
    {
        CreatePrivateFolder(Root);
        CreatePrivateFolder(CaFolder);
        CreatePrivateFolder(CertificateFolder);
    }

    public string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    public AcmeAccountRecord? ReadAccount() =>
        ReadText(AccountPath) is { } json ? JsonSerializer.Deserialize(json, AcmeJsonContext.Default.AcmeAccountRecord) : null;

    public void WriteAccount(AcmeAccountRecord record) => WriteAtomically(AccountPath, JsonSerializer.Serialize(record, AcmeJsonContext.Default.AcmeAccountRecord), PrivateFile);

    public AcmeCertificateState? ReadState() => ReadState(StatePath);

    public static AcmeCertificateState? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), AcmeJsonContext.Default.AcmeCertificateState) : null;
        }
        catch (JsonException)
        {
            // A damaged state file is rewritten after the next attempt; the certificate files are what count.
            return null;
        }
    }

    public void WriteState(AcmeCertificateState state) => WriteAtomically(StatePath, JsonSerializer.Serialize(state, AcmeJsonContext.Default.AcmeCertificateState), PrivateFile);

    public void WriteAccountKey(string pem) => WriteAtomically(AccountKeyPath, pem, PrivateFile);

    /// <summary>
    /// Installs a new certificate: the key first, then the certificate. A watcher that reloads between the two sees a
    /// key that does not match the old certificate and waits (the store's settle time) for the certificate.
    /// </summary>
    public void WriteCertificate(string certificatePem, string keyPem)
    {
        WriteAtomically(KeyPath, keyPem, PrivateFile);
        WriteAtomically(CertPath, certificatePem, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Writes <paramref name="path"/> through a temporary file in the same folder and a rename.</summary>
    public static void WriteAtomically(string path, string text, UnixFileMode mode)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with the final mode: a key is never readable by others, not even for a moment.
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, PrivateFolder);
        File.SetUnixFileMode(path, PrivateFolder);
    }
}
