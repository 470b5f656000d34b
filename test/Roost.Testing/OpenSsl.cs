namespace Roost.Testing;

/// <summary>Runs the <c>openssl</c> command line (s_client, ocsp…) with stdin closed, so s_client ends after the handshake.</summary>
public static class OpenSsl
{
    public static string Require() => ExternalTool.Require("openssl", "openssl");

    /// <summary>Runs <c>openssl args…</c> with stdin from /dev/null; returns the exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var openssl = Require();
        return TestProcess.RunAsync("sh", ["-c", "exec \"$0\" \"$@\" </dev/null", openssl, .. arguments], timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>A TLS handshake with <c>openssl s_client</c> to 127.0.0.1:<paramref name="port"/>; exit code 0 when it completed.</summary>
    public static Task<(int ExitCode, string Output)> ConnectAsync(int port, params string[] extra) =>
        RunAsync(["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", .. extra]);
}
