using System.Globalization;
using System.Text.Json;
using Roost.Testing;
using Roost.Tls;

namespace Roost.IntegrationTests;

/// <summary>
/// testssl.sh against <c>roost serve</c> (default policy, RSA certificate so that RSA suites could appear): nothing
/// VULNERABLE, TLS 1.0/1.1 not offered, no obsolete CBC suite, forward secrecy on every suite offered. Only the
/// checks needed run (protocols, cipher categories, forward secrecy, vulnerabilities, each cipher): about 90 s here.
/// Skipped when testssl is missing, unless CI=true.
/// </summary>
public sealed class TestSslTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task RoostServe_DefaultPolicy_PassesTestSsl()
    {
        var testssl = ExternalTool.Require("testssl", "testssl.sh");
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = 2048 });
        var port = FreePort.Get();
        await using var serve = RoostCli.Start(
            ["serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--ca", chain.RootPath]);
        await serve.WaitForLineAsync("Roost is serving", TimeSpan.FromSeconds(30));
        var json = chain.Directory.File("testssl.json");

        var (code, output) = await TestProcess.RunAsync(
            testssl,
            ["--quiet", "--color", "0", "--warnings", "off", "--connect-timeout", "5", "--openssl-timeout", "5",
             "-p", "-s", "-f", "-U", "-e", "--jsonfile", json, $"https://127.0.0.1:{port}"],
            TimeSpan.FromMinutes(3));

        Assert.True(File.Exists(json), $"testssl exited {code} without JSON output:\n{output}");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var findings = document.RootElement.EnumerateArray()
            .Select(e => (Id: e.GetProperty("id").GetString()!, Severity: e.GetProperty("severity").GetString()!, Finding: e.GetProperty("finding").GetString()!))
            .ToList();
        string Finding(params string[] ids) => findings.First(f => ids.Contains(f.Id)).Finding;

        Assert.DoesNotContain(findings, f => f.Finding.Contains("VULNERABLE", StringComparison.Ordinal) || f.Severity is "HIGH" or "CRITICAL");
        foreach (var old in new[] { "SSLv2", "SSLv3", "TLS1", "TLS1_1" })
        {
            Assert.StartsWith("not offered", Finding(old), StringComparison.Ordinal);
        }

        Assert.StartsWith("offered", Finding("TLS1_2"), StringComparison.Ordinal);
        Assert.StartsWith("offered", Finding("TLS1_3"), StringComparison.Ordinal);

        // testssl 3.0 calls obsolete CBC suites "AVERAGE" (3.2: "OBSOLETED"); forward secrecy is "PFS" (3.2: "FS").
        Assert.StartsWith("not offered", Finding("cipherlist_AVERAGE", "cipherlist_OBSOLETED"), StringComparison.Ordinal);
        Assert.StartsWith("offered", Finding("PFS", "FS"), StringComparison.Ordinal);
        var ciphers = findings.Where(f => f.Id.StartsWith("cipher_x", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ciphers);
        Assert.All(ciphers, c =>
        {
            // Columns: hex, OpenSSL name, key exchange, encryption, bits, IANA name.
            var columns = c.Finding.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("ECDH", columns[2]);
            Assert.Contains(columns[4], new[] { "AESGCM", "ChaCha20" });
        });
        Assert.Contains(ciphers, c => c.Finding.Contains("ECDHE-RSA-AES128-GCM-SHA256", StringComparison.Ordinal));
    }
}
