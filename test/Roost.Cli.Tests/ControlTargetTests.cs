using System.Globalization;
using System.Net.Sockets;
using Roost.Cli.Commands;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary>Which instance status/reload/scale/stop talk to when neither --name nor --run-dir is given.</summary>
public sealed class ControlTargetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Verifies (issue 13, item 7): with one running primary (a real `roost serve --workers 1`) and one stale socket
    // (a file nobody listens on, as a primary killed with SIGKILL leaves) under the base directory, the running one is
    // chosen instead of failing with "Several primaries are running"; with only stale ones left, the error says the
    // socket is stale (exit 8). The test kills roost with SIGKILL, so 'live' is then stale too.
    [Fact]
    public async Task Choose_OneRunningOneStale_ChoosesTheRunningOne()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-target");
        var live = Path.Combine(temp.Path, "live");
        var stale = Path.Combine(temp.Path, "old");
        Directory.CreateDirectory(stale);
        CreateStaleSocket(Path.Combine(stale, "control.sock"));

        await using (var roost = RoostCli.Start(
            ["serve", "--workers", "1", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--run-dir", live]))
        {
            await roost.WaitForLineAsync("Control socket", Timeout);

            var (directory, error, code) = ControlTarget.Choose(temp.Path);

            Assert.True(directory is not null, $"Expected the running instance, got exit {code}: {error}");
            Assert.Equal(live, directory);
            Assert.Equal(ExitCodes.Ok, code);
        }

        var (none, staleError, staleCode) = ControlTarget.Choose(temp.Path);

        Assert.Null(none);
        Assert.Equal(ExitCodes.NotRunning, staleCode);
        Assert.Equal(
            $"No primary is running under '{temp.Path}': the control sockets of 'live', 'old' are stale (their primaries exited without removing them). Start a server with 'roost serve' or 'roost run' (a primary of the same name replaces the stale file), or delete the stale folders.",
            staleError);
    }

    /// <summary>Leaves a socket file nobody listens on: connecting is refused.</summary>
    private static void CreateStaleSocket(string path)
    {
        // .NET unlinks the path a socket was bound to when the socket is disposed: bind elsewhere, move the file.
        var bound = path + ".tmp";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path), string.Create(CultureInfo.InvariantCulture, $"{path} was removed"));
    }
}
