namespace Roost.Testing;

/// <summary>What curl received: the body bytes exactly as sent and the HTTP version it spoke ("1.1", "2").</summary>
public sealed record CurlResult(byte[] Body, string HttpVersion);

/// <summary>Fetches URLs with the real curl binary, as a user following a README would.</summary>
public static class Curl
{
    /// <summary>
    /// GETs <paramref name="url"/>, trusting only <paramref name="caCertPath"/> (<c>--cacert</c>), and returns the
    /// body byte-exact (written to a file, never through a text decoder). Fails on any curl error or HTTP status ≥ 400.
    /// </summary>
    public static async Task<CurlResult> GetAsync(string url, string? caCertPath = null, bool http2 = false, TimeSpan? timeout = null)
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var scratch = new TempDirectory("roost-curl");
        var bodyPath = scratch.File("body");
        List<string> arguments = ["--silent", "--show-error", "--fail", "--max-time", "20", "--output", bodyPath, "--write-out", "%{http_version}"];
        if (caCertPath is not null)
        {
            arguments.AddRange(["--cacert", caCertPath]);
        }

        if (http2)
        {
            arguments.Add("--http2");
        }

        arguments.Add(url);
        var (exitCode, output) = await TestProcess.RunAsync(curl, arguments, timeout ?? TimeSpan.FromSeconds(30));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"curl {string.Join(' ', arguments)} exited with code {exitCode}. Output:\n{output}");
        }

        return new CurlResult(File.ReadAllBytes(bodyPath), output.Trim());
    }
}
