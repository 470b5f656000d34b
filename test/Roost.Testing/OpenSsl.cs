using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace Roost.Testing;

/// <summary>What <c>openssl s_client -showcerts</c> saw in a handshake.</summary>
/// <param name="PeerCertificates">The certificates the server sent, in the order it sent them.</param>
/// <param name="VerifyReturnCode">The "Verify return code" line's number (0 = verified), or -1 when it was not printed.</param>
/// <param name="Alpn">The negotiated protocol, or <see langword="null"/> when none was.</param>
/// <param name="Output">Everything the tool printed.</param>
public sealed record OpenSslHandshake(IReadOnlyList<X509Certificate2> PeerCertificates, int VerifyReturnCode, string? Alpn, string Output);

/// <summary>The <c>openssl</c> command line tool: generating key and certificate files, and a second TLS client.</summary>
public static class OpenSsl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The path of <c>openssl</c>; skips the test (fails under CI) when it is missing.</summary>
    public static string Require() => ExternalTool.Require("openssl", "openssl");

    /// <summary>A TLS handshake with <c>openssl s_client</c> to 127.0.0.1:<paramref name="port"/> with stdin closed; exit code 0 when it completed.</summary>
    public static Task<(int ExitCode, string Output)> ConnectAsync(int port, params string[] extra)
    {
        var openssl = Require();
        string[] arguments = ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", .. extra];
        return TestProcess.RunAsync("sh", ["-c", "exec \"$0\" \"$@\" </dev/null", openssl, .. arguments], Timeout);
    }

    /// <summary>Runs <c>openssl</c> with <paramref name="arguments"/> and fails the test if it does not exit with 0.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var openssl = ExternalTool.Require("openssl", "openssl");
        var (exitCode, output) = await TestProcess.RunAsync(openssl, arguments, Timeout);
        Assert.True(exitCode == 0, $"openssl {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> with <c>openssl s_client -showcerts</c> (SNI localhost) and
    /// returns the certificates the server sent. With <paramref name="caFile"/>, the chain is verified against that
    /// file only (no system store).
    /// </summary>
    public static async Task<OpenSslHandshake> ShowCertsAsync(int port, string? caFile = null, string? alpn = null)
    {
        var openssl = ExternalTool.Require("openssl", "openssl");
        List<string> arguments = ["s_client", "-connect", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), "-servername", "localhost", "-showcerts"];
        if (caFile is not null)
        {
            // -no-CApath/-no-CAstore: trust exactly caFile, as a client of a private CA would.
            arguments.AddRange(["-CAfile", caFile, "-no-CApath", "-no-CAstore"]);
        }

        if (alpn is not null)
        {
            arguments.AddRange(["-alpn", alpn]);
        }

        await using var process = TestProcess.Start(openssl, arguments, name: "openssl s_client");

        // s_client runs until its input ends: closing it makes it print the session and quit.
        process.CloseStandardInput();
        await process.WaitForExitAsync(Timeout);
        var stdout = process.StandardOutput;
        return new OpenSslHandshake(ParseCertificates(stdout), ParseVerifyCode(stdout), ParseAlpn(stdout), process.Output);
    }

    private static List<X509Certificate2> ParseCertificates(string text)
    {
        List<X509Certificate2> result = [];
        var span = text.AsSpan();
        while (PemEncoding.TryFind(span, out var fields))
        {
            if (span[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                result.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(span[fields.Base64Data].ToString())));
            }

            span = span[fields.Location.End..];
        }

        return result;
    }

    private static int ParseVerifyCode(string text)
    {
        const string Marker = "Verify return code: ";
        var index = text.LastIndexOf(Marker, StringComparison.Ordinal);
        if (index < 0)
        {
            return -1;
        }

        var digits = text[(index + Marker.Length)..].TakeWhile(char.IsAsciiDigit).ToArray();
        return int.Parse(digits, CultureInfo.InvariantCulture);
    }

    private static string? ParseAlpn(string text)
    {
        const string Marker = "ALPN protocol: ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        return line?[Marker.Length..].Trim();
    }
}
