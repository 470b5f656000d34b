using System.Globalization;
using Roost.Tls;

namespace Roost.Clustering.Internal.Admin;

/// <summary>What tells the primary that a certificate's files changed (renewed by ACME, certbot, or a file swap).</summary>
internal static class CertificateFiles
{
    /// <summary>The sizes and modification times of the source's files; inline material counts as unchanging.</summary>
    public static string Fingerprint(CertificateSource source)
    {
        var inputs = new[] { source.Pfx, source.Cert, source.Key }.Concat(source.Ca);
        return string.Join('|', inputs.Select(i => i?.Path is { } path ? Stat(path) : "-"));

        static string Stat(string path)
        {
            var file = new FileInfo(path);
            return file.Exists ? string.Create(CultureInfo.InvariantCulture, $"{file.Length}@{file.LastWriteTimeUtc.Ticks}") : "missing";
        }
    }
}
