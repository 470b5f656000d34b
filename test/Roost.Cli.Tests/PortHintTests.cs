using System.Net;
using System.Net.Sockets;
using Roost.Cli.Commands;

namespace Roost.Cli.Tests;

/// <summary>The command line's port advice in bind errors: the CLI's own, added to the library's message.</summary>
public sealed class PortHintTests
{
    // Verifies: the library's bind error ends with plain "choose another port." (ServerOptions has no command-line
    // advice any more), and the CLI's WithPortHint turns it into the message roost printed before, naming --port and
    // 'roost status --list'.
    [Fact]
    public async Task BindError_LibraryHasNoHint_CliAddsIt()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using var server = Http.CreateServer(new ServerOptions { HandleShutdownSignals = false }, (_, res) => res.End());

        var error = await Assert.ThrowsAsync<ListenException>(() => server.ListenAsync(port, "127.0.0.1", TestContext.Current.CancellationToken));
        var hinted = ServeAndRun.WithPortHint(error, "127.0.0.1", port);

        Assert.EndsWith("choose another port.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--port", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Cannot listen on 127.0.0.1:{port}: the address is already in use by pid {Environment.ProcessId}", hinted.Message, StringComparison.Ordinal);
        Assert.EndsWith($"choose another port{ServeAndRun.PortHint}.", hinted.Message, StringComparison.Ordinal);
        Assert.Equal(error.EndPoint, hinted.EndPoint);
    }
}
