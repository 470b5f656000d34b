using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost top --once</c> against a running <c>roost serve --workers 2</c>: its screen against a committed snapshot
/// (numbers, widths and paths normalised), and the control socket's <c>recycle</c> request that top's <c>c</c> key sends.
/// After a deliberate change of the screen run with ROOST_UPDATE_SNAPSHOTS=1 and commit the new file.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class TopCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: --once prints the instance line, one row per worker with figures (rates and CPU from two samples, RSS
    // from the heartbeat), the totals and the recent events, as the snapshot; a recycle request replaces the chosen
    // worker with a successor of the next generation, and an unknown worker id is refused naming the serving ones.
    [Fact]
    public async Task TopOnce_RunningCluster_MatchesTheSnapshotAndRecycleReplacesTheWorker()
    {
        using var temp = new TempDirectory("roost-top");
        var runDirectory = temp.File("run");
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1", "--name", "top", "--run-dir", runDirectory, "--shutdown-timeout", "5"],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = temp.File("dev-certs") });
        await WaitAsync(async () => Workers(await StatusAsync(runDirectory)).Count(w => w.GetProperty("state").GetString() == "ready" && w.GetProperty("rssBytes").ValueKind == JsonValueKind.Number) == 2, "two ready workers with a heartbeat");

        var (code, output) = await RoostCli.RunAsync(["top", "--once", "--run-dir", runDirectory], Timeout);
        Assert.True(code == 0, $"roost top --once exited {code}: {output}");
        Assert.Matches(@"│ 1\s+│ \d+\s+│ 1\s+│ ready │\s+\d+\.\d │\s+\d+ │\s+(-|[\d.]+ ms) │\s+(-|[\d.]+ ms) │\s+\d+ │\s+(-|\d+/\d+%) │\s+\d+\.\d% │\s+\d+\.\d MiB │\s+0 │\s+\d+s │", output);
        var normalized = Normalize(output, runDirectory);
        var path = RepoPaths.Combine("test", "Roost.IntegrationTests", "Snapshots", "top-once.txt");
        if (Environment.GetEnvironmentVariable("ROOST_UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(path, normalized, Ct);
        }

        var expected = File.Exists(path) ? await File.ReadAllTextAsync(path, Ct) : string.Empty;
        Assert.True(expected == normalized, $"'roost top --once' differs from {path} (ROOST_UPDATE_SNAPSHOTS=1 rewrites it).\nExpected:\n{expected}\nActual:\n{normalized}\nRaw:\n{output}");

        var refusal = (await ExchangeAsync(runDirectory, """{"v":1,"type":"recycle","workerId":99}"""))[^1];
        Assert.Equal("result", refusal.GetProperty("type").GetString());
        Assert.False(refusal.GetProperty("ok").GetBoolean());
        Assert.Equal("rejected", refusal.GetProperty("outcome").GetString());
        Assert.Equal("Cannot recycle worker 99: no serving worker has that id (serving: 1, 2). 'roost status' lists the workers.", refusal.GetProperty("message").GetString());

        var before = Workers(await StatusAsync(runDirectory)).Single(w => w.GetProperty("id").GetInt32() == 1);
        var responses = await ExchangeAsync(runDirectory, """{"v":1,"type":"recycle","workerId":1}""");
        var result = responses[^1];
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("recycled", result.GetProperty("outcome").GetString());
        Assert.Equal(2, result.GetProperty("generation").GetInt32());
        Assert.Contains(responses, r => r.GetProperty("type").GetString() == "progress" && r.GetProperty("event").GetString() == "ready");
        await WaitAsync(async () => Workers(await StatusAsync(runDirectory)) is { Count: 2 } w && w.All(x => x.GetProperty("id").GetInt32() != 1), "worker 1 gone after its successor took over");
        var after = (await StatusAsync(runDirectory))!.Value;
        var successor = Assert.Single(Workers(after), w => w.GetProperty("slot").GetInt32() == before.GetProperty("slot").GetInt32());
        Assert.Equal(2, successor.GetProperty("generation").GetInt32());
        Assert.NotEqual(before.GetProperty("pid").GetInt32(), successor.GetProperty("pid").GetInt32());
        var metrics = (await ExchangeAsync(runDirectory, """{"v":1,"type":"metrics"}"""))[^1].GetProperty("metrics");
        var events = metrics.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "RecycleStarted" && e.GetProperty("workerId").GetInt32() == 1);
        Assert.DoesNotContain(events, e => e.GetProperty("message").GetString()!.Contains("'status'", StringComparison.Ordinal) || e.GetProperty("message").GetString()!.Contains("'metrics'", StringComparison.Ordinal));
    }

    /// <summary>The screen with what changes between runs made constant: numbers, column widths, the run directory.</summary>
    internal static string Normalize(string output, string runDirectory)
    {
        var text = output.Replace(runDirectory, "<run-dir>", StringComparison.Ordinal).ReplaceLineEndings("\n");
        text = Number().Replace(text, "#");
        text = Uptime().Replace(text, "#s");
        text = Rule().Replace(text, m => m.Value[..1]);
        text = Spaces().Replace(text, " ");
        return string.Join('\n', text.Split('\n').Select(l => l.TrimEnd())).TrimEnd() + "\n";
    }

    /// <summary>Sends one request line on the control socket and returns every answer line, as JSON.</summary>
    private static async Task<List<JsonElement>> ExchangeAsync(string runDirectory, string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(runDirectory, "control.sock")), Ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request + "\n"), SocketFlags.None, Ct);
        using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync(Ct).AsTask().WaitAsync(Timeout, Ct) is { } line)
        {
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        return lines;
    }

    private static async Task<JsonElement?> StatusAsync(string runDirectory)
    {
        try
        {
            return (await ExchangeAsync(runDirectory, """{"v":1,"type":"status"}"""))[^1];
        }
        catch (SocketException)
        {
            // Not listening yet.
            return null;
        }
    }

    private static List<JsonElement> Workers(JsonElement? status) =>
        status is { } s && s.TryGetProperty("workers", out var workers) ? [.. workers.EnumerateArray()] : [];

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200, Ct);
        }
    }

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"#[hm]#[ms]")]
    private static partial Regex Uptime();

    [GeneratedRegex(@"([─═━-])\1{2,}")]
    private static partial Regex Rule();

    [GeneratedRegex(@" {2,}")]
    private static partial Regex Spaces();
}
