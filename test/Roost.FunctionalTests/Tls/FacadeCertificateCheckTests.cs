using Microsoft.Extensions.Logging;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>The façade runs the certificate check before binding: errors throw (every one listed), warnings are logged.</summary>
public sealed class FacadeCertificateCheckTests
{
    [Fact]
    public void Errors_RefuseToCreateTheServer_WithEveryErrorInTheException()
    {
        using var chain = TestCertificates.CreateChain();
        var options = SecureServerOptions.FromFiles(chain.LeafPath, chain.KeyPath);

        var ex = Assert.Throws<CertificateLoadException>(() => Https.CreateServer(options, (_, res) => res.End()));

        var finding = Assert.Single(ex.Findings);
        Assert.Equal(CertificateFindingCodes.IntermediateMissing, finding.Code);
        Assert.Equal(finding.Message, ex.Message);
        Assert.Contains($"Certificate '{chain.LeafPath}' (option Cert)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("with Ca (often", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_AreLogged_AndTheServerStarts()
    {
        using var chain = TestCertificates.CreateChain();
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var options = chain.ServerOptions();
        options.LoggerFactory = factory;

        await using var server = Http2.CreateSecureServer(options, (_, res) => res.End());
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);

        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(1101, warning.EventId.Id);
        Assert.StartsWith($"Certificate check: The chain ends at '{chain.IntermediatePath}' (option Ca)", warning.Message, StringComparison.Ordinal);
    }
}
