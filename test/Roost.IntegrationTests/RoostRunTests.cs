using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost run</c> of the unmodified sample app HelloApp (no Roost reference): HTTPS h2 + HTTP/1.1 from several
/// workers, sessions shared through <c>--state</c>, a rolling reload onto a newly published build, a broken build
/// that aborts the reload, and clear errors for an app that cannot run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RoostRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>HelloApp 1.0.0, the sample as built by the solution.</summary>
    private static string Version1Folder => Path.GetDirectoryName(RepoPaths.ProjectDll("samples", "HelloApp"))!;

    /// <summary>HelloApp 2.0.0: the same source built by test/Roost.RunTestHost.</summary>
    private static string Version2Folder => Path.GetDirectoryName(RepoPaths.ProjectDll("test", "Roost.RunTestHost", "HelloApp"))!;

    private static TestProcess StartRoost(string app, TestChain chain, int port, params string[] extra) =>
        RoostCli.Start(
            ["run", app, "--workers", "2", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "10", .. extra],
            name: "roost-run");

    // Verifies: `roost run` of HelloApp with 2 workers answers over HTTPS h2 and HTTP/1.1 (the chain is sent: the client
    // trusts only the root) from two different pids; with --state sqlite:… the app's own IDistributedCache is replaced
    // and its session counter keeps counting while requests land on both workers; a 2 MiB upload is read (no
    // --max-body-size: the app's Kestrel limit, not serve's 1m); --http2-max-continuation-frames 2 applies to the app's
    // Kestrel (a header block with 3 CONTINUATION frames gets GOAWAY(ENHANCE_YOUR_CALM); the default allows 16);
    // Kestrel:Endpoints from the app's appsettings.json are reported and not bound; SIGTERM stops everything with exit code 0.
    [Fact]
    public async Task Run_HelloAppTwoWorkersWithSqliteState_ServesH2AndH1FromTwoPids_SessionCountsAcrossWorkers()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-run");
        var app = CopyApp(Version1Folder, Path.Combine(temp.Path, "app"));
        var strayPort = FreePort.Get();
        File.WriteAllText(Path.Combine(app, "appsettings.json"),
            $$"""{ "Kestrel": { "Endpoints": { "Stray": { "Url": "http://127.0.0.1:{{strayPort}}" } } } }""");
        var port = FreePort.Get();
        await using var roost = StartRoost(app, chain, port, "--state", "sqlite:" + Path.Combine(temp.Path, "state"), "--http2-max-continuation-frames", "2");
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);

        using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);
        using var r2 = await h2.GetAsync($"https://localhost:{port}/", Ct);
        using var r1 = await h1.GetAsync($"https://localhost:{port}/", Ct);
        Assert.Equal(HttpVersion.Version20, r2.Version);
        Assert.Equal(HttpVersion.Version11, r1.Version);
        Assert.StartsWith("Hello from HelloApp 1.0.0, pid ", await r2.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1", await r1.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("Roost.SharedState.SqliteDistributedCache\n", await h2.GetStringAsync($"https://localhost:{port}/cache", Ct));

        // No --max-body-size: the app keeps Kestrel's own limit (30 MB), not roost serve's 1m default.
        using var upload = await h1.PostAsync($"https://localhost:{port}/upload", new ByteArrayContent(new byte[2 << 20]), Ct);
        Assert.Equal("received 2097152 bytes\n", await upload.Content.ReadAsStringAsync(Ct));

        await using (var flood = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, chain.Root, Ct))
        {
            await flood.SendSplitRequestAsync(RawHttp2Connection.RequestHeaders($"127.0.0.1:{port}", "/"), continuations: 3, endHeaders: false);
            Assert.Equal("GOAWAY 11", await flood.WaitForEndAsync(Timeout)); // ENHANCE_YOUR_CALM
        }

        // New connections spread over the two reuseport sockets; each request on its own connection, one cookie jar.
        using var session = SessionClient(chain, new CookieContainer());
        var pids = new HashSet<string>();
        for (var i = 1; i <= 30; i++)
        {
            var last = await session.GetStringAsync($"https://localhost:{port}/session", Ct);
            Assert.StartsWith($"visits {i}, pid ", last, StringComparison.Ordinal);
            pids.Add(last.Split("pid ")[1].Trim());
        }

        Assert.True(pids.Count >= 2, $"30 sessions requests were all answered by pid {string.Join(", ", pids)}.");

        Assert.Contains(roost.Lines, l => l.Contains("Kestrel endpoints from the app's configuration (Stray) are not bound", StringComparison.Ordinal));
        using var stray = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(async () => await stray.ConnectAsync(IPAddress.Loopback, strayPort, Ct));

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: the app's files are replaced by a new build (HelloApp 2.0.0) while version 1 serves; SIGHUP rolls the
    // workers onto the build on disk with no failed request from h2 and HTTP/1.1 keep-alive clients; then a broken
    // deploy (the app throws at startup) makes the next reload abort, and version 2 keeps serving, still without a
    // failed request.
    [Fact]
    public async Task Run_NewBuildThenBrokenBuild_SighupServesNewBuild_BrokenReloadAborts_NoFailedRequest()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-run");
        var app = CopyApp(Version1Folder, Path.Combine(temp.Path, "app"));
        var port = FreePort.Get();
        await using var roost = StartRoost(app, chain, port);
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);

        using var probe = new RunProbe(chain, port);
        var load = probe.RunAsync();
        try
        {
            await Task.Delay(1000, Ct);

            // Deploy v2 the safe way (each file written aside, then renamed over the old one: running workers keep
            // the old files they mapped) and reload.
            CopyApp(Version2Folder, app);
            roost.Signal(1);
            await roost.WaitForLineAsync("Rolling reload to generation 2 done", Timeout);
            await Task.Delay(1000, Ct);
            Assert.StartsWith("Hello from HelloApp 2.0.0", await probe.GetAsync(), StringComparison.Ordinal);

            // A broken deploy: the app now throws at startup.
            Replace(Path.Combine(app, "appsettings.json"), """{ "HelloApp": { "FailAtStartup": true } }""");
            roost.Signal(1);
            await roost.WaitForLineAsync("Reload aborted: new worker", Timeout);
            await Task.Delay(1000, Ct);
        }
        finally
        {
            await probe.StopAsync(load);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"reload to v2 + aborted reload: {probe.Ok} requests ok, {probe.Failures.Count} failed: {string.Join(" | ", probe.Failures.Take(10))}; bodies: {string.Join(", ", probe.Versions)}");
        Assert.Empty(probe.Failures);
        Assert.Contains("1.0.0", probe.Versions);
        Assert.Contains("2.0.0", probe.Versions);
        Assert.Contains(roost.Lines, l => l.Contains("HelloApp:FailAtStartup is set", StringComparison.Ordinal));
        Assert.StartsWith("Hello from HelloApp 2.0.0", await probe.GetAsync(), StringComparison.Ordinal);
        Assert.Equal(2, ProcessProbe.Children(roost.Pid).Count);

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: a SIGHUP rolling reload of `roost run` (HelloApp, 2 workers) under h2 load from a client that follows
    // RFC 9113 §6.8 (no new stream after a GOAWAY, then a new connection) refuses no stream and loses none: the
    // startup hook's guard sends GOAWAY(2^31-1) first and the app keeps serving for the grace period.
    [Fact]
    public async Task Run_SighupReloadUnderH2Load_RefusesNoStream()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = StartRoost(Version1Folder, chain, port);
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        var probe = await Http2RefusalProbe.RunThroughReloadAsync(roost, "localhost", port, chain.Root, Timeout, Ct);

        TestContext.Current.TestOutputHelper?.WriteLine($"roost run reload under h2 load: {probe}");
        Assert.True(probe.Answered > 0);
        Assert.Equal(0, probe.Refused);
        Assert.Equal(0, probe.Failed);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: an app path that does not exist is reported before anything starts: exit code 4 (application load
    // failed) and the message naming the path and what to give instead.
    [Fact]
    public async Task Run_AppMissing_ExitsWithApplicationLoadFailedAndNamesThePath()
    {
        var (code, output) = await RoostCli.RunAsync(["run", "no/such/app.dll", "--port", "0"], Timeout);

        Assert.Equal(4, code);
        Assert.Contains("error: App 'no/such/app.dll' (argument <app>) does not exist.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forked worker", output, StringComparison.Ordinal);
    }

    // Verifies: a startup hook whose Roost assemblies cannot be loaded fails the app loudly — exit code 4 and one line
    // naming the hook's folder — instead of letting it start on its own port without Roost (what a failed
    // hosting-startup assembly does).
    [Fact]
    public async Task Hook_RoostAssembliesMissing_AppExits4WithTheReason()
    {
        using var temp = new TempDirectory("roost-hook");
        var hook = Path.Combine(temp.Path, "Roost.StartupHook.dll");
        File.Copy(RoostCli.HookPath, hook);

        var (code, output) = await TestProcess.RunAsync("dotnet", [RepoPaths.ProjectDll("samples", "HelloApp")], Timeout,
            workingDirectory: Version1Folder,
            environment: new Dictionary<string, string?>
            {
                ["DOTNET_STARTUP_HOOKS"] = hook,
                ["ROOST_RUN_CONFIG"] = "{}",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            });

        Assert.Equal(4, code);
        Assert.Contains($"error: roost run: the startup hook could not load Roost's assemblies from '{temp.Path}'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", output, StringComparison.Ordinal);
    }

    /// <summary>A client that trusts only the chain's root and keeps cookies; each request closes its connection (so the next may land on another worker).</summary>
    internal static HttpClient SessionClient(TestChain chain, CookieContainer cookies)
    {
        var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
                {
                    TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { chain.Root },
                    RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                },
            },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.ConnectionClose = true;
        return client;
    }

    /// <summary>Copies an app folder's files into <paramref name="target"/>, each written aside then renamed over the old one.</summary>
    private static string CopyApp(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var aside = Path.Combine(target, "." + Path.GetFileName(file) + ".new");
            File.Copy(file, aside, overwrite: true);
            File.Move(aside, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        return target;
    }

    private static void Replace(string path, string text)
    {
        var aside = path + ".new";
        File.WriteAllText(aside, text);
        File.Move(aside, path, overwrite: true);
    }

    private static async Task WaitForCountAsync(TestProcess process, string contains, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (process.Lines.Count(l => l.Contains(contains, StringComparison.Ordinal)) < count)
        {
            Assert.False(process.HasExited, $"roost exited early:\n{process.Output}");
            await Task.Delay(50, cts.Token);
        }
    }
}
