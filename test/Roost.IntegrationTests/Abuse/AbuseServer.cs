using System.Globalization;
using System.Net;
using Roost.Abuse;
using Roost.Testing;

namespace Roost.IntegrationTests.Abuse;

/// <summary>
/// One <c>roost serve --workers 2</c> (default limits, hot spare on) for an abuse test class, with what every abuse
/// test checks afterwards: no process of the cluster died, and a well-behaved client still gets 200 over h2 and
/// HTTP/1.1.
/// </summary>
public sealed class AbuseServer : IAsyncLifetime
{
    private TestProcess? _roost;
    private int[] _processes = [];

    public TestChain Chain { get; } = TestCertificates.CreateChain();

    public TempDirectory Workspace { get; } = new("roost-abuse");

    public TestProcess Roost => _roost ?? throw new InvalidOperationException("Not started.");

    public Target Target { get; private set; } = new("roost", "127.0.0.1", 0);

    public async ValueTask InitializeAsync()
    {
        var port = FreePort.Get();
        _roost = RoostCli.Start(
            ["serve", "--workers", "2", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", Chain.LeafPath, "--key", Chain.KeyPath, "--ca", Chain.IntermediatePath, "--shutdown-timeout", "5",
             "--run-dir", Workspace.File("run")]);
        Target = new Target("roost", "127.0.0.1", port, _roost.Pid);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Two workers ready and the hot spare started: the processes every test expects to find alive at its end.
        while (_roost.Lines.Count(l => l.Contains("is ready: listening on", StringComparison.Ordinal)) < 2
               || !_roost.Lines.Any(l => l.Contains("Started hot spare", StringComparison.Ordinal)))
        {
            if (_roost.HasExited)
            {
                throw new InvalidOperationException($"roost exited with code {_roost.ExitCode}:\n{_roost.Output}");
            }

            await Task.Delay(50, timeout.Token);
        }

        _processes = [.. ProcessProbe.Children(_roost.Pid)];
        // Warm both sides (first requests compile the client's and the workers' paths), so a short attack is not
        // spent waiting for the JIT.
        await AssertHealthyAsync();
    }

    /// <summary>
    /// The checks every abuse test ends with: the primary and all its workers (and the spare) are the processes they
    /// were at the start, and fresh well-behaved requests over h2 and HTTP/1.1 get 200.
    /// </summary>
    public async Task AssertHealthyAsync()
    {
        Assert.False(Roost.HasExited, $"roost exited:\n{Roost.Output}");
        var alive = ProcessProbe.Children(Roost.Pid);
        Assert.True(_processes.All(alive.Contains),
            $"A process of the cluster ended under attack: before {string.Join(",", _processes)}, now {string.Join(",", alive)}.\n{Tail()}");
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11, HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var client = TestClients.TrustingOnly(Chain.Root, version);
            client.Timeout = TimeSpan.FromSeconds(20);
            using var response = await client.GetAsync($"https://localhost:{Target.Port.ToString(CultureInfo.InvariantCulture)}/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>Runs <paramref name="attack"/> while a probe sends a GET every 100 ms; returns the attack's tally and the probe's window.</summary>
    public async Task<(Tally Tally, ProbeWindow Probe)> AttackAsync(Attack attack, int connections, TimeSpan duration)
    {
        await using var probe = new Probe(Target);
        probe.Start();
        var tally = new Tally();
        var start = DateTime.UtcNow;
        await attack.Run(Target, new AttackSettings(connections, duration), tally, TestContext.Current.CancellationToken)
            .WaitAsync(duration + TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var window = probe.Window(start, DateTime.UtcNow);
        TestContext.Current.TestOutputHelper?.WriteLine($"{attack.Name}: {tally.Connections} connections, {tally.Sent} sent; answered: {tally}; probe: {window}");
        return (tally, window);
    }

    /// <summary>
    /// The probe's share under attack: requests are allowed to be slow on a shared CI machine, but most must be
    /// answered (5 s timeout each) — a server that stops answering well-behaved clients fails here.
    /// </summary>
    public static void AssertProbeServed(ProbeWindow window)
    {
        Assert.True(window.Sent > 0, "The probe sent nothing.");
        Assert.True(window.SuccessRate >= 0.8, $"The well-behaved probe got 200 for only {window}.");
    }

    public string Tail() => string.Join('\n', Roost.Lines.TakeLast(30));

    public async ValueTask DisposeAsync()
    {
        if (_roost is not null)
        {
            await _roost.DisposeAsync();
        }

        Chain.Dispose();
        Workspace.Dispose();
    }
}
