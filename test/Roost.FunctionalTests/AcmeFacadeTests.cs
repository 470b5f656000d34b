using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Acme;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests;

/// <summary>
/// The façade's automatic certificates without a CA to talk to: set-up errors name <see cref="AcmeOptions"/>'s
/// properties (not roost's CLI flags), and failed attempts reach a program that has no logger. (Issuing and renewing
/// against a real ACME server: Roost.IntegrationTests' AcmeRunAndFacadeTests, with pebble.)
/// </summary>
public sealed class AcmeFacadeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Options for <paramref name="domain"/> against a CA port nobody listens on; no LoggerFactory.</summary>
    private static SecureServerOptions Options(string domain, string stateDirectory, int closedPort, int httpPort) => new()
    {
        HandleShutdownSignals = false,
        Acme = new AcmeOptions
        {
            Domains = { domain },
            AgreeToTermsOfService = true,
            DirectoryUrl = $"https://127.0.0.1:{closedPort.ToString(CultureInfo.InvariantCulture)}/dir",
            Challenge = httpPort == 0 ? AcmeChallengeType.TlsAlpn01 : AcmeChallengeType.Auto,
            HttpPort = httpPort,
            StateDirectory = stateDirectory,
        },
    };

    // Verifies: with the CA unreachable and no LoggerFactory, each failed attempt raises AcmeAttemptFailed (attempt
    // number, the reason naming SecureServerOptions.Acme.DirectoryUrl, the next attempt, nothing served), ListenAsync
    // gives up after three attempts with a CertificateLoadException that says why and what to do (the last event has
    // no next attempt) and the server does not listen; meanwhile a second server for the same names and folder is
    // refused with a message naming the façade's properties, not roost's flags.
    [Fact]
    public async Task Listen_CaUnreachable_EachAttemptReportedWithoutLogger_GivesUpAfterThree_SecondServerLockedOut()
    {
        var closed = FreePort.Get();
        using var state = new TempDirectory("roost-acme");
        await using var server = Https.CreateServer(Options("down.roost.test", state.Path, closed, httpPort: 0), static (_, res) => res.End());
        var failures = new ConcurrentQueue<AcmeAttemptFailedEventArgs>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AcmeAttemptFailed += (sender, e) =>
        {
            Assert.Same(server, sender);
            failures.Enqueue(e);
            first.TrySetResult();
        };

        var listen = server.ListenAsync(0, "127.0.0.1", Ct);
        await first.Task.WaitAsync(Timeout, Ct);

        await using (var second = Https.CreateServer(Options("down.roost.test", state.Path, closed, httpPort: 0), static (_, res) => res.End()))
        {
            var locked = await Assert.ThrowsAsync<InvalidOperationException>(() => second.ListenAsync(0, "127.0.0.1", Ct));
            Assert.StartsWith($"Another roost (pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}) already manages the certificate for 'down.roost.test'", locked.Message, StringComparison.Ordinal);
            Assert.EndsWith("Stop it, or give this instance other SecureServerOptions.Acme.Domains names or another SecureServerOptions.Acme.StateDirectory.", locked.Message, StringComparison.Ordinal);
            Assert.False(second.IsListening);
        }

        var error = await Assert.ThrowsAsync<CertificateLoadException>(() => listen.WaitAsync(Timeout, Ct));
        var ca = $"https://127.0.0.1:{closed.ToString(CultureInfo.InvariantCulture)}/dir";
        Assert.StartsWith($"ListenAsync gave up: no certificate for 'down.roost.test' could be obtained from '{ca}' (3 attempts failed), so the server does not listen. The last attempt: Cannot reach the ACME server at '{ca}'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Fix that and call ListenAsync again, or set SecureServerOptions.Acme.FallbackToDevelopment = true to serve the development chain while Roost keeps trying.", error.Message, StringComparison.Ordinal);
        Assert.Equal("SecureServerOptions.Acme", error.Option);
        Assert.False(server.IsListening);

        var reported = failures.ToArray();
        Assert.Equal([1, 2, 3], reported.Select(f => f.Attempt));
        Assert.All(reported, f =>
        {
            Assert.Equal(["down.roost.test"], f.Domains);
            Assert.StartsWith($"Cannot reach the ACME server at '{ca}", f.Message, StringComparison.Ordinal);
            Assert.Contains("Check SecureServerOptions.Acme.DirectoryUrl, DNS and the network", f.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("--acme", f.Message, StringComparison.Ordinal);
            Assert.False(f.IsServing);
            Assert.False(f.IsValidationFailure);
        });
        Assert.NotNull(reported[0].NextAttempt);
        Assert.NotNull(reported[1].NextAttempt);
        Assert.Null(reported[2].NextAttempt);
    }

    // Verifies: when the HTTP-01 listener's port is taken, ListenAsync fails with a ListenException that tells the
    // façade user to choose another SecureServerOptions.Acme.HttpPort (roost serve says --acme-http-port).
    [Fact]
    public async Task Listen_AcmeHttpPortInUse_ErrorNamesAcmeOptionsHttpPort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = ((IPEndPoint)occupant.LocalEndpoint).Port;
        using var state = new TempDirectory("roost-acme");
        await using var server = Https.CreateServer(Options("busy.roost.test", state.Path, FreePort.Get(), taken), static (_, res) => res.End());

        var error = await Assert.ThrowsAsync<ListenException>(() => server.ListenAsync(0, "127.0.0.1", Ct).WaitAsync(Timeout, Ct));

        Assert.StartsWith($"Cannot listen on 127.0.0.1:{taken.ToString(CultureInfo.InvariantCulture)}: the address is already in use", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("choose another port with SecureServerOptions.Acme.HttpPort (the CA always connects to port 80: forward it there).", error.Message, StringComparison.Ordinal);
        Assert.False(server.IsListening);
    }

    // Verifies: at first start over TLS-ALPN-01 the serving port is bound by the challenge responder; when it is
    // taken, the ListenException points to ListenAsync's port (roost serve says --port).
    [Fact]
    public async Task Listen_ServingPortInUseAtFirstStart_ErrorNamesListenAsyncPort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = ((IPEndPoint)occupant.LocalEndpoint).Port;
        using var state = new TempDirectory("roost-acme");
        await using var server = Https.CreateServer(Options("alpn.roost.test", state.Path, FreePort.Get(), httpPort: 0), static (_, res) => res.End());

        var error = await Assert.ThrowsAsync<ListenException>(() => server.ListenAsync(taken, "127.0.0.1", Ct).WaitAsync(Timeout, Ct));

        Assert.StartsWith($"Cannot listen on 127.0.0.1:{taken.ToString(CultureInfo.InvariantCulture)}: the address is already in use", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("choose another port with ListenAsync(port) (TLS-ALPN-01: the CA always connects to port 443: forward it there).", error.Message, StringComparison.Ordinal);
        Assert.False(server.IsListening);
    }
}
