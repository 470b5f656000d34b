using System.Globalization;
using System.Text.Json;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary>
/// The roost program itself, started as a process: <c>dotnet roost.dll</c>, or the native roost named by
/// <c>ROOST_CLI</c> (where System.CommandLine, the help text and the error paths run trimmed and ahead-of-time compiled).
/// </summary>
public sealed class CliProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Verifies: --help prints every command and the exit code table; `serve --help` lists --port with its default.
    [Fact]
    public async Task Help_ListsCommandsExitCodesAndDefaults()
    {
        var (code, output) = await RoostCli.RunAsync(["--help"], Timeout);
        var (serveCode, serveOutput) = await RoostCli.RunAsync(["serve", "--help"], Timeout);

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var command in new[] { "serve", "run", "cert", "status", "reload", "scale", "stop" })
        {
            Assert.Contains("  " + command, output, StringComparison.Ordinal);
        }

        Assert.Contains(ExitCodes.HelpText.Split('\n')[0].Trim(), output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, serveCode);
        Assert.Contains("--port", serveOutput, StringComparison.Ordinal);
        Assert.Contains("8443", serveOutput, StringComparison.Ordinal);
    }

    // Verifies: a parse error exits 2 with one error line naming the value, the range and the option.
    [Fact]
    public async Task Serve_PortOutOfRange_ExitsWithInvalidUsage()
    {
        var (code, output) = await RoostCli.RunAsync(["serve", "--port", "70000"], Timeout);

        Assert.Equal(ExitCodes.InvalidUsage, code);
        Assert.Contains("error: Port 70000 is out of range. Use a port from 1 to 65535, or 0 to let the system pick a free one. (option --port)", output, StringComparison.Ordinal);
    }

    // Verifies: a control command with no primary behind the run directory exits 8 and names the socket it looked for.
    [Fact]
    public async Task Status_NoPrimary_ExitsNotRunningNamingTheSocket()
    {
        using var temp = new TempDirectory("roost-cli");
        var runDirectory = temp.File("run");

        var (code, output) = await RoostCli.RunAsync(["status", "--json", "--run-dir", runDirectory], Timeout);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains($"No primary is running there: the control socket '{Path.Combine(runDirectory, "control.sock")}' does not exist.", output, StringComparison.Ordinal);
    }

    // Verifies: `cert check` loads and checks a complete chain (X.509 parsing, key match, chain order) and exits 0.
    [Fact]
    public async Task CertCheck_CompleteChain_ExitsOk()
    {
        using var chain = TestCertificates.CreateChain();

        var (code, output) = await RoostCli.RunAsync(
            ["cert", "check", "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--host", "localhost"], Timeout);

        Assert.True(code == ExitCodes.Ok, $"roost cert check exited {code}: {output}");
        Assert.DoesNotContain("error:", output, StringComparison.Ordinal);
    }

    // Verifies: a running primary (1 worker, JSON console logs) answers `roost status` with the worker table
    // (Spectre.Console) and `roost stop` drains it: exit 0 for both, the primary exits 0, and its log lines are JSON.
    [Fact]
    public async Task Status_RunningPrimaryWithJsonLogs_PrintsTheWorkerTableThenStops()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-cli");
        var runDirectory = temp.File("run");
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "1", "--no-hot-spare", "--port", FreePort.Get().ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--run-dir", runDirectory, "--log-format", "json"]);
        await roost.WaitForLineAsync("is ready: listening on 127.0.0.1:", Timeout);

        var (statusCode, status) = await RoostCli.RunAsync(["status", "--run-dir", runDirectory], Timeout);
        var (stopCode, stopped) = await RoostCli.RunAsync(["stop", "--run-dir", runDirectory], Timeout);

        Assert.True(statusCode == ExitCodes.Ok, $"roost status exited {statusCode}: {status}");
        Assert.Contains("generation 1, 1 worker(s)", status, StringComparison.Ordinal);
        Assert.Contains("│ worker │ slot │ pid", status, StringComparison.Ordinal);
        Assert.True(stopCode == ExitCodes.Ok, $"roost stop exited {stopCode}: {stopped}");
        Assert.Equal(ExitCodes.Ok, await roost.WaitForExitAsync(Timeout));
        Assert.Contains(roost.StandardOutput.Split('\n'), line => EventId(line) == 2000); // the primary's "Forked worker", as JSON
    }

    /// <summary>The EventId of a JSON console log line; null when the line is not one (other output, or two writers' lines interleaved).</summary>
    private static int? EventId(string line)
    {
        try
        {
            using var entry = JsonDocument.Parse(line);
            return entry.RootElement.TryGetProperty("EventId", out var id) ? id.GetInt32() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
