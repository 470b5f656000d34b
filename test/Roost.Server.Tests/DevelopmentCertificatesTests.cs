using System.Security.Cryptography.X509Certificates;
using Roost.Testing;
using Roost.Tls;

namespace Roost.Server.Tests;

/// <summary>The development chain of <c>roost serve</c>: created once, reused, renewed, keys private.</summary>
public sealed class DevelopmentCertificatesTests
{
    [Fact]
    public void Ensure_EmptyFolder_CreatesRootIntermediateAndLocalhostLeafWithPrivateKeys()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "dev");

        var files = DevelopmentCertificates.Ensure(folder);

        Assert.True(files.Created);
        using var leaf = X509Certificate2.CreateFromPemFile(files.CertPath, files.KeyPath);
        using var intermediate = X509CertificateLoader.LoadCertificateFromFile(files.ChainPath);
        using var root = X509CertificateLoader.LoadCertificateFromFile(files.RootPath);
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(intermediate.Subject, leaf.Issuer);
        Assert.Equal(root.Subject, intermediate.Issuer);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.IPv6Loopback, san.EnumerateIPAddresses());

        // The chain verifies against the root alone, as curl --cacert root does.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void Ensure_KeyFiles_AreReadableOnlyByTheOwner()
    {
        using var dir = new TempDirectory();
        var files = DevelopmentCertificates.Ensure(Path.Combine(dir.Path, "dev"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(files.Directory, "root-ca.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(files.Directory));
    }

    [Fact]
    public void Ensure_SecondCall_ReusesTheSameChain()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "dev");
        var first = DevelopmentCertificates.Ensure(folder);
        var firstLeaf = File.ReadAllText(first.CertPath);

        var second = DevelopmentCertificates.Ensure(folder);

        Assert.False(second.Created);
        Assert.Equal(firstLeaf, File.ReadAllText(second.CertPath));
    }

    [Fact]
    public void Ensure_LeafExpiringSoon_RenewsLeafUnderTheSameRoot()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "dev");
        var first = DevelopmentCertificates.Ensure(folder);
        var rootBefore = File.ReadAllText(first.RootPath);

        // Replace the leaf with one that expires in 3 days (inside the 14-day renewal window).
        using var root = X509Certificate2.CreateFromPemFile(first.RootPath, Path.Combine(folder, "root-ca.key"));
        using var shortLived = CertificateChainFactory.CreateSigned(root, new GeneratedCertificateSpec { NotAfter = DateTimeOffset.UtcNow.AddDays(3) });
        File.WriteAllText(first.CertPath, CertificateChainFactory.ToPem(shortLived));
        File.WriteAllText(first.KeyPath, CertificateChainFactory.KeyToPem(shortLived));

        var renewed = DevelopmentCertificates.Ensure(folder);

        Assert.True(renewed.Created);
        Assert.Equal(rootBefore, File.ReadAllText(renewed.RootPath));
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(renewed.CertPath);
        Assert.True(leaf.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(300));
    }

    [Fact]
    public void Ensure_DamagedLeaf_Regenerates()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "dev");
        var first = DevelopmentCertificates.Ensure(folder);
        File.WriteAllText(first.CertPath, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        var again = DevelopmentCertificates.Ensure(folder);

        Assert.True(again.Created);
        using var leaf = X509Certificate2.CreateFromPemFile(again.CertPath, again.KeyPath);
        Assert.True(leaf.HasPrivateKey);
    }
}
