using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// The control socket of <c>roost serve --workers N</c> and the commands that use it: <c>roost status</c>, <c>reload</c>,
/// <c>scale</c>, <c>stop</c>. Every server runs with <c>--run-dir</c> in a temp folder; every process is killed at the end.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ControlSocketTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestProcess StartRoost(TestChain chain, int port, string workers, string runDirectory, params string[] extra) =>
        StartRoostWithSpare(chain, port, workers, runDirectory, ["--no-hot-spare", .. extra]);

    // roost serve's default: one hot spare.
    private static TestProcess StartRoostWithSpare(TestChain chain, int port, string workers, string runDirectory, params string[] extra) =>
        RoostCli.Start(
            ["serve", "--workers", workers, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "10",
             "--run-dir", runDirectory, .. extra],
            name: "roost");

    // --no-hot-spare: these tests compare the workers status reports with the primary's child processes, and a hot
    // spare is a child that is not (yet) a worker.

    private static Task<(int ExitCode, string Output)> RoostAsync(params string[] arguments) =>
        RoostCli.RunAsync(arguments, Timeout);

    private static async Task WaitForCountAsync(TestProcess process, string contains, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (process.Lines.Count(l => l.Contains(contains, StringComparison.Ordinal)) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {count} line(s) with '{contains}'. Output:\n{process.Output}");
            if (process.HasExited)
            {
                Assert.Fail($"roost exited ({process.ExitCode}). Output:\n{process.Output}");
            }

            await Task.Delay(100, Ct);
        }
    }

    private static async Task<JsonElement> StatusJsonAsync(string runDirectory)
    {
        var (code, output) = await RoostAsync("status", "--json", "--run-dir", runDirectory);
        Assert.True(code == 0, $"roost status --json exited {code}: {output}");
        var line = output.Split('\n').Single(l => l.StartsWith('{'));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Leaves a socket file nobody listens on (what a primary killed with SIGKILL leaves): connecting is refused.</summary>
    private static void CreateStaleSocket(string path)
    {
        // .NET unlinks the path a socket was bound to when the socket is disposed: bind elsewhere, move the file.
        var bound = path + ".tmp";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path));
    }

    private static async Task<JsonElement> WaitForStatusAsync(string runDirectory, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var status = await StatusJsonAsync(runDirectory);
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for a status; last: {status}");
            await Task.Delay(250, Ct);
        }
    }

    private static int[] WorkerPids(JsonElement status) =>
        [.. status.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Order()];

    // Verifies: the run directory is 0700 and the socket 0600; a stale socket file left by a dead primary is replaced
    // (logged); a second primary with the same run directory fails with exit code 6 before forking; `status --json`
    // lists the workers with their pids and generation; `reload --wait` advances the generation (new pids) and exits
    // 0; `reload --certs-only` serves renewed files without new pids, and a bad new file exits 5 naming the file while
    // the old certificate keeps serving; `stop` drains, the primary exits 0 and removes the socket.
    [Fact]
    public async Task Control_StatusReloadCertsOnlyStop_OnARunningCluster()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-control");
        var runDirectory = temp.File("run");
        var socketPath = Path.Combine(runDirectory, "control.sock");
        Directory.CreateDirectory(runDirectory);
        CreateStaleSocket(socketPath);

        var port = FreePort.Get();
        await using var roost = StartRoost(chain, port, "2", runDirectory, "--no-watch");
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
            Assert.Contains(roost.Lines, l => l.Contains("Replacing the stale control socket", StringComparison.Ordinal));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runDirectory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socketPath));

            var (secondCode, secondOutput) = await RoostCli.RunAsync(
                ["serve", "--workers", "1", "--port", FreePort.Get().ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
                 "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--run-dir", runDirectory],
                Timeout);
            Assert.Equal(6, secondCode);
            Assert.Contains($"Another primary is running and answering on the control socket '{socketPath}'", secondOutput, StringComparison.Ordinal);

            var status = await StatusJsonAsync(runDirectory);
            var pids = WorkerPids(status);
            Assert.Equal(1, status.GetProperty("v").GetInt32());
            Assert.Equal(roost.Pid, status.GetProperty("pid").GetInt32());
            Assert.Equal(2, pids.Length);
            Assert.Equal([.. ProcessProbe.Children(roost.Pid).Order()], pids);
            Assert.All(status.GetProperty("workers").EnumerateArray(), w =>
            {
                Assert.Equal(1, w.GetProperty("generation").GetInt32());
                Assert.Equal("ready", w.GetProperty("state").GetString());
            });

            var (tableCode, table) = await RoostAsync("status", "--run-dir", runDirectory);
            Assert.Equal(0, tableCode);
            Assert.Contains("generation", table, StringComparison.Ordinal);
            Assert.Contains(pids[0].ToString(CultureInfo.InvariantCulture), table, StringComparison.Ordinal);

            var (reloadCode, reloadOutput) = await RoostAsync("reload", "--wait", "--run-dir", runDirectory);
            Assert.True(reloadCode == 0, reloadOutput);
            Assert.Contains("every worker now runs generation 2", reloadOutput, StringComparison.Ordinal);

            // The reload's outcome comes when the last new worker is ready; the last old one may still be draining.
            status = await WaitForStatusAsync(runDirectory, s => s.GetProperty("workers").GetArrayLength() == 2);
            var reloadedPids = WorkerPids(status);
            Assert.Equal(2, reloadedPids.Length);
            Assert.Empty(reloadedPids.Intersect(pids));
            Assert.All(status.GetProperty("workers").EnumerateArray(), w => Assert.Equal(2, w.GetProperty("generation").GetInt32()));

            using var renewed = chain.Renew();
            File.WriteAllText(chain.KeyPath, TestCertificates.KeyPem(renewed));
            File.WriteAllText(chain.LeafPath, TestCertificates.Pem(renewed));
            var (certsCode, certsOutput) = await RoostAsync("reload", "--certs-only", "--run-dir", runDirectory);
            Assert.True(certsCode == 0, certsOutput);
            Assert.Contains($"-> {renewed.SerialNumber}", certsOutput, StringComparison.Ordinal);
            for (var i = 0; i < 6; i++)
            {
                // Several handshakes, so both workers' listeners are very likely to answer one.
                using var served = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: Ct);
                Assert.Equal(renewed.SerialNumber, served.SerialNumber);
            }

            Assert.Equal(reloadedPids, WorkerPids(await StatusJsonAsync(runDirectory)));

            File.WriteAllText(chain.LeafPath, string.Empty);
            var (badCode, badOutput) = await RoostAsync("reload", "--certs-only", "--run-dir", runDirectory);
            Assert.True(badCode == 5, badOutput);
            Assert.Contains("error: The new certificate files were rejected and the old certificate keeps serving", badOutput, StringComparison.Ordinal);
            Assert.Contains(chain.LeafPath, badOutput, StringComparison.Ordinal);
            using (var still = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: Ct))
            {
                Assert.Equal(renewed.SerialNumber, still.SerialNumber);
            }

            var (stopCode, stopOutput) = await RoostAsync("stop", "--run-dir", runDirectory);
            Assert.True(stopCode == 0, stopOutput);
            Assert.Contains("Stopped", stopOutput, StringComparison.Ordinal);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
            Assert.False(File.Exists(socketPath));
        }
        finally
        {
            foreach (var pid in ProcessProbe.Children(roost.Pid))
            {
                ProcessProbe.Signal(pid, 9);
            }
        }
    }

    // Verifies: with no primary, status/reload/scale/stop exit 8 and name the socket path tried and how to list
    // instances; a stale socket file is reported as stale; a bad scale value is a usage error (exit 2) before connecting.
    [Fact]
    public async Task Control_NoPrimaryOrStaleSocket_ExitCode8NamingThePath()
    {
        using var temp = new TempDirectory("roost-control");
        var empty = Directory.CreateDirectory(temp.File("empty")).FullName;
        var socketPath = Path.Combine(empty, "control.sock");

        foreach (var command in new[] { "status", "reload", "stop" })
        {
            var (code, output) = await RoostAsync(command, "--run-dir", empty);
            Assert.Equal(8, code);
            Assert.Contains($"the control socket '{socketPath}' does not exist", output, StringComparison.Ordinal);
            Assert.Contains("roost status --list", output, StringComparison.Ordinal);
        }

        CreateStaleSocket(socketPath);

        var (staleCode, staleOutput) = await RoostAsync("scale", "3", "--run-dir", empty);
        Assert.Equal(8, staleCode);
        Assert.Contains($"The control socket '{socketPath}' is stale", staleOutput, StringComparison.Ordinal);

        var (zeroCode, zeroOutput) = await RoostAsync("scale", "0", "--run-dir", empty);
        Assert.Equal(2, zeroCode);
        Assert.Contains("Cannot scale to 0 worker(s): the count must be between 1 and 1024", zeroOutput, StringComparison.Ordinal);
    }

    // Verifies: a client running as another uid is refused by SO_PEERCRED (exit 11, the primary logs uid and pid),
    // even when the socket's file mode would let it connect; with the default modes it cannot even reach the socket.
    [Fact]
    public async Task Control_ConnectionFromAnotherUid_IsRefusedAndLogged()
    {
        if (!UnprivilegedProcess.IsRoot)
        {
            if (!ExternalTool.IsCi)
            {
                Assert.Skip("Needs root to run a client as another user (nobody); run the tests as root to include it.");
            }

            Assert.Fail("CI runs the tests as root; this test needs it to run a client as nobody.");
        }

        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-control");
        var runDirectory = temp.File("run");
        var port = FreePort.Get();
        await using var roost = StartRoost(chain, port, "1", runDirectory);
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 1);
            var socketPath = Path.Combine(runDirectory, "control.sock");

            using var workspace = new TempDirectory("roost-nobody");
            await using (var blocked = RoostCli.StartUnprivileged(["status", "--run-dir", runDirectory], workspace))
            {
                Assert.Equal(11, await blocked.WaitForExitAsync(Timeout));
                Assert.Contains("Access to the control socket", blocked.Output, StringComparison.Ordinal);
            }

            // Open the path up, as a careless chmod would: the peer check still refuses.
            const UnixFileMode All = (UnixFileMode)0x1FF;
            File.SetUnixFileMode(temp.Path, All);
            File.SetUnixFileMode(runDirectory, All);
            File.SetUnixFileMode(socketPath, All);
            using var workspace2 = new TempDirectory("roost-nobody");
            await using var refused = RoostCli.StartUnprivileged(["status", "--run-dir", runDirectory], workspace2);
            Assert.Equal(11, await refused.WaitForExitAsync(Timeout));
            Assert.Contains("Control connection from uid 65534", refused.Output, StringComparison.Ordinal);
            var logged = await roost.WaitForLineAsync("Control connection from uid 65534", Timeout);
            Assert.Matches(@"refused: only uid 0, the primary's owner, may control it\. \(uid 65534, pid \d+\)", logged);
        }
        finally
        {
            foreach (var pid in ProcessProbe.Children(roost.Pid))
            {
                ProcessProbe.Signal(pid, 9);
            }
        }
    }
}
