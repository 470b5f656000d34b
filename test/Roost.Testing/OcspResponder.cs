using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>
/// A local OCSP responder (<c>openssl ocsp</c>) for certificates issued by one CA: it answers "good" for the
/// certificates given, signing with the issuer's key. Killed on dispose.
/// </summary>
public sealed class OcspResponder : IAsyncDisposable
{
    private readonly TestProcess _process;

    private OcspResponder(TestProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public TestProcess Process => _process;

    /// <summary>Starts a responder on <paramref name="port"/> for <paramref name="issued"/>, signed by <paramref name="issuer"/>.</summary>
    public static async Task<OcspResponder> StartAsync(int port, X509Certificate2 issuer, TempDirectory directory, params X509Certificate2[] issued)
    {
        var openssl = OpenSsl.Require();
        var index = directory.Write("ocsp-index.txt", string.Concat(issued.Select(c =>
            $"V\t{c.NotAfter.ToUniversalTime().ToString("yyMMddHHmmss", CultureInfo.InvariantCulture)}Z\t\t{c.SerialNumber}\tunknown\t{OpenSslName(c.Subject)}\n")));
        var issuerPath = directory.Write("ocsp-issuer.pem", TestCertificates.Pem(issuer));
        var issuerKey = directory.Write("ocsp-issuer.key", TestCertificates.KeyPem(issuer));
        var process = TestProcess.Start(openssl,
            ["ocsp", "-index", index, "-port", port.ToString(CultureInfo.InvariantCulture), "-rsigner", issuerPath, "-rkey", issuerKey, "-CA", issuerPath, "-ndays", "1", "-text"],
            name: "openssl-ocsp");
        await process.WaitForLineAsync("ACCEPT", TimeSpan.FromSeconds(15));
        return new OcspResponder(process, port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>"CN=a, O=b" → "/O=b/CN=a" is not needed here: generated subjects have a single CN.</summary>
    private static string OpenSslName(string subject) => "/" + subject.Replace(", ", "/", StringComparison.Ordinal);
}
