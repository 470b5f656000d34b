using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost serve --user</c>: the primary stays root (binds, reads the key), the workers run as the user and get the
/// loaded TLS files over IPC. Needs root (CI runs as root; elsewhere the tests skip). The key lives in a 0700 folder
/// as a 0600 file owned by root, so no worker could read it even if it tried.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PrivilegeDropTests
{
    private const string Nobody = "65534";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: every worker and the hot spare run as nobody (uid and gid 65534 in /proc/<pid>/status, no other
    // groups) while the primary stays root; nobody cannot open the key file (setpriv ... cat fails); h2 works; a
    // renewed certificate written over the files is pushed by the primary and served by the same worker pids; a SIGHUP
    // rolling reload starts new workers as nobody that serve the files as they are now.
    [Fact]
    public async Task Serve_UserNobody_WorkersUnprivilegedKeyUnreadableRenewalsAndReloadsServed()
    {
        RequireRoot();
        var setpriv = ExternalTool.Require("setpriv", "util-linux");
        using var chain = TestCertificates.CreateChain();
        using var workspace = new TempDirectory("roost-privdrop");
        var (cert, key, ca) = PrivateTlsFiles(chain, workspace);
        var program = CopyRoostReadableByAll(workspace);
        var port = FreePort.Get();
        await using var roost = TestProcess.Start(
            program.FileName,
            [.. program.Prefix, "serve", "--workers", "2", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", cert, "--key", key, "--ca", ca, "--user", "nobody", "--shutdown-timeout", "5", "--run-dir", workspace.File("run")],
            workspace.Path,
            name: "roost");
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
            await WaitForCountAsync(roost, "Started hot spare worker", 1);
            Assert.Equal("0", Ids(roost.Pid, "Uid")[0]);
            var workers = ProcessProbe.Children(roost.Pid);
            Assert.Equal(3, workers.Count);
            foreach (var pid in workers)
            {
                Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(pid, "Uid"));
                Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(pid, "Gid"));
                Assert.Equal([Nobody], Ids(pid, "Groups"));
            }

            var (catCode, catOutput) = await TestProcess.RunAsync(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", key], Timeout);
            Assert.NotEqual(0, catCode);
            Assert.Contains("Permission denied", catOutput, StringComparison.Ordinal);

            var h2 = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath, http2: true, timeout: Timeout);
            Assert.Equal("2", h2.HttpVersion);

            // The per-worker metrics block the primary made (as root) was handed to the worker's user.
            Assert.DoesNotContain(roost.Lines, l => l.Contains("cannot open its metrics block", StringComparison.Ordinal));

            // A renewal written over the files: the primary notices, sends the files, the workers reload in place.
            using var renewed = chain.Renew();
            File.WriteAllText(key, TestCertificates.KeyPem(renewed));
            File.WriteAllText(cert, TestCertificates.Pem(renewed));
            await TlsProbe.WaitForSerialAsync(port, renewed.SerialNumber, Timeout);
            await WaitForCountAsync(roost, "Certificate reload done: reloaded in 2 worker(s)", 1);
            Assert.All(ProcessProbe.Children(roost.Pid).Where(p => !workers.Contains(p)), p => Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(p, "Uid")));
            Assert.Subset(ProcessProbe.Children(roost.Pid).ToHashSet(), workers.Where(p => !IsSpare(roost, p)).ToHashSet());

            // A rolling reload: new workers, as nobody, loading the files as they are now (read and sent by the primary).
            using var second = chain.Renew();
            File.WriteAllText(key, TestCertificates.KeyPem(second));
            File.WriteAllText(cert, TestCertificates.Pem(second));
            roost.Signal(1);
            await WaitForCountAsync(roost, "Rolling reload to generation 2 done", 1);
            await TlsProbe.WaitForSerialAsync(port, second.SerialNumber, Timeout);
            var generation2 = roost.Lines.Where(l => l.Contains("generation 2) is ready: listening", StringComparison.Ordinal)).Select(PidOf).ToList();
            Assert.Equal(2, generation2.Count);
            Assert.All(generation2, p => Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(p, "Uid")));
            h2 = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath, http2: true, timeout: Timeout);
            Assert.Equal("2", h2.HttpVersion);

            roost.Signal(15);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        }
        finally
        {
            KillWorkers(roost);
        }
    }

    // Verifies: --user nobody --group daemon (gid 1, not nobody's own group) starts the worker with uid 65534 and gid 1
    // (real, effective, saved, file system) and only group 1 (nobody is a member of no other group: nginx's
    // initgroups(user, group)), through setpriv; the worker serves h2; the primary stays root.
    [Fact]
    public async Task Serve_UserNobodyGroupDaemon_WorkerRunsWithTheGroup()
    {
        RequireRoot();
        ExternalTool.Require("setpriv", "util-linux");
        using var chain = TestCertificates.CreateChain();
        using var workspace = new TempDirectory("roost-privdrop");
        var (cert, key, ca) = PrivateTlsFiles(chain, workspace);
        var program = CopyRoostReadableByAll(workspace);
        var port = FreePort.Get();
        await using var roost = TestProcess.Start(
            program.FileName,
            [.. program.Prefix, "serve", "--workers", "1", "--no-hot-spare", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", cert, "--key", key, "--ca", ca, "--user", "nobody", "--group", "daemon", "--shutdown-timeout", "5", "--run-dir", workspace.File("run")],
            workspace.Path,
            name: "roost");
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 1);
            var worker = Assert.Single(ProcessProbe.Children(roost.Pid));
            AssertRunsAsNobodyInDaemon(worker);
            Assert.Equal("0", Ids(roost.Pid, "Uid")[0]);

            var h2 = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath, http2: true, timeout: Timeout);
            Assert.Equal("2", h2.HttpVersion);
            Assert.DoesNotContain(roost.Lines, l => l.Contains("cannot open its metrics block", StringComparison.Ordinal));

            roost.Signal(15);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        }
        finally
        {
            KillWorkers(roost);
        }
    }

    // Verifies: an unknown user, an unknown --group, --group without --user, --user with --workers 0, and --user given
    // by a process that is not root each exit 2
    // before anything starts, with a message naming the option, the value and what to do.
    [Fact]
    public async Task Serve_UserErrors_ExitTwoNamingTheUserAndWhatToDo()
    {
        var (code, output) = await RoostCli.RunAsync(["serve", "--workers", "1", "--port", "0", "--user", "no-such-user-xyz"], Timeout);
        Assert.True(code == 2, output);
        Assert.Contains("--user: no user named 'no-such-user-xyz' on this system", output, StringComparison.Ordinal);
        Assert.Contains("useradd", output, StringComparison.Ordinal);

        (code, output) = await RoostCli.RunAsync(["serve", "--workers", "1", "--port", "0", "--user", "nobody", "--group", "no-such-group-xyz"], Timeout);
        Assert.True(code == 2, output);
        Assert.Contains("--group: no group named 'no-such-group-xyz' on this system (looked up like getent group no-such-group-xyz)", output, StringComparison.Ordinal);
        Assert.Contains("groupadd", output, StringComparison.Ordinal);

        (code, output) = await RoostCli.RunAsync(["serve", "--workers", "1", "--port", "0", "--group", "daemon"], Timeout);
        Assert.True(code == 2, output);
        Assert.Contains("--group", output, StringComparison.Ordinal);
        Assert.Contains("--user", output, StringComparison.Ordinal);

        (code, output) = await RoostCli.RunAsync(["serve", "--workers", "0", "--port", "0", "--user", "nobody"], Timeout);
        Assert.True(code == 2, output);
        Assert.Contains("--user nobody needs worker processes (--workers 1 or more", output, StringComparison.Ordinal);

        if (!UnprivilegedProcess.IsRoot)
        {
            (code, output) = await RoostCli.RunAsync(["serve", "--workers", "1", "--port", "0", "--user", "root"], Timeout);
            Assert.True(code == 2, output);
            Assert.Contains("not as root, and only root can start workers as another user", output, StringComparison.Ordinal);
            return;
        }

        using var workspace = new TempDirectory("roost-privdrop");
        await using var unprivileged = RoostCli.StartUnprivileged(["serve", "--workers", "1", "--port", "0", "--user", "root"], workspace);
        Assert.Equal(2, await unprivileged.WaitForExitAsync(Timeout));
        Assert.Contains("--user root: roost runs as 'nobody' (uid 65534), not as root, and only root can start workers as another user", unprivileged.Output, StringComparison.Ordinal);
    }

    // Verifies: roost run --user nobody starts the app's worker as nobody; it serves h2 with the certificate the
    // primary read (the key in a folder only root can enter); the --state sqlite folder the primary prepared as root is
    // handed to nobody, so the app's sessions (written by the worker) count; an app folder nobody cannot enter is
    // refused before any worker starts, with exit code 2 naming the folder, its mode and what to do.
    [Fact]
    public async Task Run_UserNobody_WorkerUnprivilegedServesH2AndWritesState_UnreadableAppRefused()
    {
        RequireRoot();
        using var chain = TestCertificates.CreateChain();
        using var workspace = new TempDirectory("roost-privdrop-run");
        var (cert, key, ca) = PrivateTlsFiles(chain, workspace);
        var program = CopyRoostReadableByAll(workspace);
        var app = CopyReadableByAll(Path.GetDirectoryName(RepoPaths.ProjectDll("samples", "HelloApp"))!, workspace.File("app"), workspace);
        var port = FreePort.Get();
        string[] arguments = ["run", app, "--workers", "1", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
            "--cert", cert, "--key", key, "--ca", ca, "--user", "nobody", "--shutdown-timeout", "5", "--run-dir", workspace.File("run"),
            "--state", "sqlite:" + workspace.File("state")];
        await using (var roost = TestProcess.Start(program.FileName, [.. program.Prefix, .. arguments], workspace.Path, name: "roost-run"))
        {
            try
            {
                await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 1);
                var worker = Assert.Single(ProcessProbe.Children(roost.Pid));
                Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(worker, "Uid"));
                Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(worker, "Gid"));

                var h2 = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath, http2: true, timeout: Timeout);
                Assert.Equal("2", h2.HttpVersion);
                Assert.StartsWith("Hello from HelloApp", System.Text.Encoding.UTF8.GetString(h2.Body), StringComparison.Ordinal);

                using var session = RoostRunTests.SessionClient(chain, new System.Net.CookieContainer());
                Assert.StartsWith("visits 1, pid ", await session.GetStringAsync($"https://localhost:{port}/session", Ct), StringComparison.Ordinal);
                Assert.StartsWith("visits 2, pid ", await session.GetStringAsync($"https://localhost:{port}/session", Ct), StringComparison.Ordinal);

                roost.Signal(15);
                Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
            }
            finally
            {
                KillWorkers(roost);
            }
        }

        File.SetUnixFileMode(app, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (code, output) = await TestProcess.RunAsync(program.FileName, [.. program.Prefix, .. arguments], Timeout, workspace.Path);
        Assert.True(code == 2, output);
        Assert.Contains($"--user nobody: the workers could not open the app's folder (workers start in it) '{app}': user 'nobody' cannot list '{app}' (mode 0700, owner uid 0", output, StringComparison.Ordinal);
    }

    // Verifies: roost run --user nobody --group daemon starts the unmodified app's worker (the dotnet host, through
    // setpriv) with uid 65534 and gid 1 (real, effective, saved, file system) and only group 1; it serves the app over h2.
    [Fact]
    public async Task Run_UserNobodyGroupDaemon_AppWorkerRunsWithTheGroup()
    {
        RequireRoot();
        ExternalTool.Require("setpriv", "util-linux");
        using var chain = TestCertificates.CreateChain();
        using var workspace = new TempDirectory("roost-privdrop-run");
        var (cert, key, ca) = PrivateTlsFiles(chain, workspace);
        var program = CopyRoostReadableByAll(workspace);
        var app = CopyReadableByAll(Path.GetDirectoryName(RepoPaths.ProjectDll("samples", "HelloApp"))!, workspace.File("app"), workspace);
        var port = FreePort.Get();
        await using var roost = TestProcess.Start(
            program.FileName,
            [.. program.Prefix, "run", app, "--workers", "1", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", cert, "--key", key, "--ca", ca, "--user", "nobody", "--group", "daemon", "--shutdown-timeout", "5", "--run-dir", workspace.File("run")],
            workspace.Path,
            name: "roost-run");
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 1);
            var worker = Assert.Single(ProcessProbe.Children(roost.Pid));
            AssertRunsAsNobodyInDaemon(worker);

            var h2 = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath, http2: true, timeout: Timeout);
            Assert.Equal("2", h2.HttpVersion);
            Assert.StartsWith("Hello from HelloApp", System.Text.Encoding.UTF8.GetString(h2.Body), StringComparison.Ordinal);

            roost.Signal(15);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        }
        finally
        {
            KillWorkers(roost);
        }
    }

    /// <summary>The worker's real, effective, saved and file-system uid are nobody's, its gids and only group daemon's (1).</summary>
    private static void AssertRunsAsNobodyInDaemon(int worker)
    {
        Assert.Equal([Nobody, Nobody, Nobody, Nobody], Ids(worker, "Uid"));
        Assert.Equal(["1", "1", "1", "1"], Ids(worker, "Gid"));
        Assert.Equal(["1"], Ids(worker, "Groups"));
    }

    /// <summary>Kills whatever workers of <paramref name="roost"/> are left (a failed test must not leave processes running as nobody).</summary>
    private static void KillWorkers(TestProcess roost)
    {
        foreach (var pid in ProcessProbe.Children(roost.Pid))
        {
            ProcessProbe.Signal(pid, 9);
        }
    }

    private static void RequireRoot()
    {
        if (UnprivilegedProcess.IsRoot)
        {
            return;
        }

        if (!ExternalTool.IsCi)
        {
            Assert.Skip("Needs root: the primary starts its workers as nobody; run the tests as root to include it.");
        }

        Assert.Fail("CI runs the tests as root; this test needs it to start workers as nobody.");
    }

    /// <summary>The chain's leaf, key and intermediate in a folder only root can enter (0700), the key 0600.</summary>
    private static (string Cert, string Key, string Ca) PrivateTlsFiles(TestChain chain, TempDirectory workspace)
    {
        var folder = Directory.CreateDirectory(workspace.File("tls")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cert = Path.Combine(folder, "site.pem");
        var key = Path.Combine(folder, "site.key");
        var ca = Path.Combine(folder, "chain.pem");
        File.Copy(chain.LeafPath, cert);
        File.Copy(chain.KeyPath, key);
        File.Copy(chain.IntermediatePath, ca);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (cert, key, ca);
    }

    /// <summary>
    /// roost (roost.dll's folder, or the native roost with its hook/ folder) copied into the workspace, readable by all:
    /// the build output may sit under a folder nobody cannot enter, and the workers run the same program as the primary.
    /// </summary>
    private static (string FileName, string[] Prefix) CopyRoostReadableByAll(TempDirectory workspace)
    {
        var target = workspace.File("program");
        var (fileName, prefix) = RoostCli.Command;
        CopyReadableByAll(RoostCli.Native is { } native ? Path.GetDirectoryName(native)! : Path.GetDirectoryName(RoostCli.Dll)!, target, workspace);
        return RoostCli.Native is { } copied
            ? (Path.Combine(target, Path.GetFileName(copied)), [])
            : (fileName, [Path.Combine(target, Path.GetFileName(RoostCli.Dll)), .. prefix.Skip(1)]);
    }

    /// <summary>Copies a folder tree to <paramref name="target"/> inside <paramref name="workspace"/>: folders 0755, files readable by all (modes otherwise kept).</summary>
    private static string CopyReadableByAll(string source, string target, TempDirectory workspace)
    {
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(workspace.Path, Open);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            File.SetUnixFileMode(destination, File.GetUnixFileMode(file) | UnixFileMode.OtherRead | UnixFileMode.GroupRead);
        }

        foreach (var folder in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Append(target))
        {
            File.SetUnixFileMode(folder, Open);
        }

        return target;
    }

    /// <summary>The four (or, for Groups, all) ids of a /proc/&lt;pid&gt;/status line: real, effective, saved, filesystem.</summary>
    private static string[] Ids(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line[(field.Length + 1)..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool IsSpare(TestProcess roost, int pid) =>
        roost.Lines.Any(l => l.Contains("Started hot spare worker", StringComparison.Ordinal) && l.Contains($"(pid {pid},", StringComparison.Ordinal));

    private static int PidOf(string line)
    {
        var at = line.IndexOf("(pid ", StringComparison.Ordinal) + 5;
        var end = line.IndexOf(',', at);
        return int.Parse(line[at..end], CultureInfo.InvariantCulture);
    }

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
}
