using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// `roost serve` as a user runs it: a real process with the embedded defaults (development chain, welcome page),
/// fetched with curl trusting only the development root, stopped with SIGTERM.
/// </summary>
public sealed partial class RoostServeTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);


    [Fact]
    public async Task Serve_NoCertificateGiven_ServesWelcomePageOverH2AndHttp11WithDevelopmentChain()
    {
        var curl = ExternalTool.Require("curl", "curl");
        var openssl = ExternalTool.Require("openssl", "openssl");
        using var dir = new TempDirectory();
        var certDir = Path.Combine(dir.Path, "dev-certs");
        await using var roost = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = certDir });

        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value);
        await roost.WaitForLineAsync($"curl --cacert {certDir}/root-ca.pem", StartTimeout);

        var root = Path.Combine(certDir, "root-ca.pem");
        var h2 = await TestProcess.RunAsync(curl, ["-sS", "--http2", "--cacert", root, "-o", "-", "-w", "\n%{http_version}", $"https://127.0.0.1:{port}/"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, h2.ExitCode);
        Assert.Contains("Roost is running", h2.Output);
        Assert.Contains("HTTP/2", h2.Output);
        Assert.EndsWith("\n2", h2.Output);

        var h1 = await TestProcess.RunAsync(curl, ["-sS", "--http1.1", "--cacert", root, "-o", "-", "-w", "\n%{http_version}", $"https://localhost:{port}/healthz"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, h1.ExitCode);
        Assert.Equal("ok\n\n1.1", h1.Output);

        // The intermediate travels in the handshake; the root does not.
        var sClient = await TestProcess.RunAsync("bash", ["-c", $"echo | {openssl} s_client -connect 127.0.0.1:{port} -servername localhost -showcerts 2>/dev/null"], TimeSpan.FromSeconds(30));
        Assert.Contains("s:CN = Roost Development Intermediate CA", sClient.Output);
        Assert.DoesNotContain("s:CN = Roost Development Root CA", sClient.Output);

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_SecondRun_ReusesTheDevelopmentChain()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") };
        await using (var first = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"], environment: env))
        {
            await first.WaitForLineAsync("Created a development certificate chain", StartTimeout);
        }

        await using var second = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"], environment: env);
        await second.WaitForLineAsync("Using the development certificate chain", StartTimeout);
    }

    // Verifies: a port another (non-Roost) process listens on is refused, in a cluster primary (reuseport, which the
    // kernel would otherwise let join that socket's group when the user is the same) and in a single process, with a
    // message naming the address, the pid and command of the listener (here: the test itself) and what to do.
    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public async Task Serve_PortInUse_ExitsWithListenFailedNamingTheOtherProcess(string workers)
    {
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        using var chain = TestCertificates.CreateChain();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", workers, "--port", port.ToString(), "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath]);

        Assert.Equal(6, await roost.WaitForExitAsync(StartTimeout));
        Assert.Contains($"error: Cannot listen on 0.0.0.0:{port}: the address is already in use by pid {Environment.ProcessId} ('", roost.Output);
        Assert.Contains("Stop that process or choose another port with --port ('roost status --list' lists the Roost instances running as this user).", roost.Output);
    }

    // Verifies (issue 13, item 6): a second clustered instance with another --name on the port of a running one exits 6
    // naming the port and the first instance's primary pid, instead of joining its SO_REUSEPORT group and taking part
    // of its connections; the first keeps serving.
    [Fact]
    public async Task Serve_SecondInstanceOnTheSamePort_IsRefusedNamingTheFirst()
    {
        using var chain = TestCertificates.CreateChain();
        using var dir = new TempDirectory();
        var port = FreePort.Get();
        string[] common = ["serve", "--workers", "1", "--no-hot-spare", "--port", port.ToString(), "--host", "127.0.0.1",
            "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath];
        await using var first = RoostCli.Start([.. common, "--run-dir", Path.Combine(dir.Path, "first")], name: "first");
        await first.WaitForLineAsync("is ready: listening on", StartTimeout);

        await using var second = RoostCli.Start([.. common, "--run-dir", Path.Combine(dir.Path, "second")], name: "second");
        await Task.WhenAny(second.WaitForExitAsync(StartTimeout), second.WaitForLineAsync("Roost is serving", StartTimeout));
        Assert.True(second.HasExited, $"The second instance started on port {port}:\n{second.Output}");

        Assert.Equal(6, second.ExitCode);
        Assert.Contains($"error: Cannot listen on 127.0.0.1:{port}: the address is already in use by pid {first.Pid} (", second.Output);
        Assert.False(first.HasExited);
    }

    // Verifies (issue 13, item 3): `roost serve` (default --max-body-size 1m) answers 413 — not 200 — to a 3 MB upload
    // on the built-in page and /healthz, over h2 and HTTP/1.1, with a Content-Length (curl --data-binary @file, which
    // on HTTP/1.1 also sends Expect: 100-continue) and without one (chunked from stdin, h2 DATA frames); HTTP/1.1
    // answers carry Connection: close; no request hangs (curl --max-time 20).
    [Fact]
    public async Task Serve_UploadOverMaxBodySize_Gets413OnThePageAndHealthz()
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var chain = TestCertificates.CreateChain();
        using var dir = new TempDirectory();
        var file = dir.Write("upload.bin", new byte[3 * 1024 * 1024]);
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "0", "--port", "0", "--host", "127.0.0.1", "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath]);
        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value);

        foreach (var path in new[] { "/", "/healthz" })
        {
            foreach (var version in new[] { "--http2", "--http1.1" })
            {
                foreach (var upload in new[] { $"--data-binary @{file}", "-X POST -T -" })
                {
                    var command = $"head -c {3 * 1024 * 1024} /dev/zero | {curl} -sk {version} --max-time 20 {upload} -o /dev/null -D - -w 'status=%{{http_code}}' https://127.0.0.1:{port}{path}";
                    var (code, output) = await TestProcess.RunAsync("bash", ["-c", command], TimeSpan.FromSeconds(40));

                    Assert.True(output.Contains("status=413", StringComparison.Ordinal), $"{command} (exit {code}):\n{output}");
                    if (version == "--http1.1")
                    {
                        Assert.Contains("Connection: close", output, StringComparison.OrdinalIgnoreCase);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Serve_MissingKeyFile_ExitsWithCertificateInvalidNamingTheFile()
    {
        using var chain = TestCertificates.CreateChain();
        await using var roost = RoostCli.Start(
            ["serve", "--port", "0", "--cert", chain.LeafPath, "--key", "missing/site.key"]);

        Assert.Equal(5, await roost.WaitForExitAsync(StartTimeout));
        Assert.Contains("error: TLS file 'missing/site.key' (option --key) does not exist.", roost.Output);
    }

    // Verifies (issue 13): the h2 flood limits are settings that reach the workers — from the file
    // (http2-max-continuation-frames 2), the environment (ROOST_HTTP2_STREAM_RESETS_PER_SECOND=0) and the option
    // (--http2-stream-reset-burst 5): a header block with 3 CONTINUATION frames and 6 HEADERS + RST_STREAM rounds each
    // end their connection with GOAWAY(ENHANCE_YOUR_CALM) (under the defaults, 16 and 100, both are allowed), while a
    // block with 2 CONTINUATION frames is served.
    [Fact]
    public async Task Serve_Http2LimitsFromFileEnvironmentAndOption_TakeEffectInTheWorker()
    {
        using var chain = TestCertificates.CreateChain();
        using var dir = new TempDirectory();
        var config = dir.Write("roost.json", """{ "http2-max-continuation-frames": 2 }""");
        var port = FreePort.Get();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "1", "--no-hot-spare", "--port", port.ToString(), "--host", "127.0.0.1", "--run-dir", dir.File("run"),
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--config", config, "--http2-stream-reset-burst", "5"],
            environment: new Dictionary<string, string?> { ["ROOST_HTTP2_STREAM_RESETS_PER_SECOND"] = "0" });
        await roost.WaitForLineAsync("is ready: listening on", StartTimeout);
        var headers = RawHttp2Connection.RequestHeaders($"127.0.0.1:{port}", "/healthz");

        await using (var within = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, chain.Root, TestContext.Current.CancellationToken))
        {
            var (_, answer) = await within.SendSplitRequestAsync(headers, continuations: 2, endHeaders: true);
            Assert.Equal(200, await answer.WaitAsync(StartTimeout, TestContext.Current.CancellationToken));
        }

        await using (var flood = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, chain.Root, TestContext.Current.CancellationToken))
        {
            await flood.SendSplitRequestAsync(headers, continuations: 3, endHeaders: false);
            Assert.Equal("GOAWAY 11", await flood.WaitForEndAsync(StartTimeout));
        }

        await using (var resets = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, chain.Root, TestContext.Current.CancellationToken))
        {
            await resets.SendRawAsync(Enumerable.Range(0, 6).SelectMany(_ => RawHttp2Connection.HeadersThenReset(resets.NextStreamId(), headers)).ToArray());
            Assert.Equal("GOAWAY 11", await resets.WaitForEndAsync(StartTimeout));
        }

        Assert.False(roost.HasExited, roost.Output);
    }

    [GeneratedRegex(@":(\d+)/")]
    private static partial Regex PortPattern();
}
