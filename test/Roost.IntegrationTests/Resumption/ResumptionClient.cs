using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests.Resumption;

/// <summary>
/// Drives resumption_client.py (Python's <c>ssl</c>: it keeps sessions and tells whether one was resumed, which .NET's
/// client cannot): one long-lived process per test, so a saved session survives what the test does to the server.
/// </summary>
internal sealed class ResumptionClient : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private readonly TestProcess _process;

    private ResumptionClient(TestProcess process) => _process = process;

    public static ResumptionClient Start(int port)
    {
        var python = ExternalTool.Require("python3", "python3");
        var script = RepoPaths.Combine("test", "Roost.IntegrationTests", "Resumption", "resumption_client.py");
        return new ResumptionClient(TestProcess.Start(python, [script, port.ToString(CultureInfo.InvariantCulture)], name: "resumption-client"));
    }

    /// <summary><paramref name="count"/> connections, each offering the previous one's session.</summary>
    public Task<Outcome> ChainAsync(string version, int count) => AskAsync($"chain {version} {count}", "chain ");

    /// <summary>One full handshake whose session later <see cref="OfferAsync"/> calls offer.</summary>
    public Task SaveAsync(string version) => AskAsync($"save {version}", "saved");

    /// <summary><paramref name="count"/> connections, each offering the saved session.</summary>
    public Task<Outcome> OfferAsync(string version, int count) => AskAsync($"offer {version} {count}", "offer ");

    /// <summary>
    /// <paramref name="count"/> connections, each offering a session no connection offered before (a browser's single-use
    /// TLS 1.3 tickets); <see cref="Outcome.Prompt"/> counts resumptions whose server sent its ticket before the request.
    /// </summary>
    public Task<Outcome> SingleUseAsync(string version, int count) => AskAsync($"single {version} {count}", "single ");

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task<Outcome> AskAsync(string command, string answerPrefix)
    {
        var before = _process.Lines.Count(l => l.StartsWith(answerPrefix, StringComparison.Ordinal));
        _process.WriteLine(command);
        var deadline = DateTime.UtcNow + AnswerTimeout;
        while (true)
        {
            var answers = _process.Lines.Where(l => l.StartsWith(answerPrefix, StringComparison.Ordinal)).ToList();
            if (answers.Count > before)
            {
                return Outcome.Parse(answers[before]);
            }

            Assert.False(_process.HasExited, $"resumption_client.py exited ({command}):\n{_process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"No answer to '{command}' from resumption_client.py:\n{_process.Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>What a chain, offer or single-use chain saw: resumed connections, of how many, the worker pids that answered, and
    /// (single use) how many resumptions got the server's ticket before the request.</summary>
    internal sealed record Outcome(int Reused, int Of, IReadOnlySet<string> Pids, string Line, int Prompt = 0)
    {
        /// <summary>Gets a value indicating whether at least 95 % of the returning connections resumed (the bar).</summary>
        public bool AtLeast95Percent => Reused * 100 >= Of * 95;

        public static Outcome Parse(string line)
        {
            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            return new Outcome(
                int.Parse(fields.GetValueOrDefault("reused", "0"), CultureInfo.InvariantCulture),
                int.Parse(fields.GetValueOrDefault("of", "0"), CultureInfo.InvariantCulture),
                fields.GetValueOrDefault("pids", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
                line,
                int.Parse(fields.GetValueOrDefault("prompt", "0"), CultureInfo.InvariantCulture));
        }
    }
}
