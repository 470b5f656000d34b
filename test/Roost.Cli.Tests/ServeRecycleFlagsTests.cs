using Roost.Cli;
using Roost.Cli.Commands;
using Roost.Cli.Configuration;

namespace Roost.Cli.Tests;

/// <summary>The recycling and reload-batch flags of <c>roost serve</c>: parsing, errors and the cluster settings they give.</summary>
public sealed class ServeRecycleFlagsTests
{
    [Fact]
    public void Serve_RecycleFlags_MapToClusterOptions()
    {
        var settings = new SettingsBinder(SettingScope.Serve, new SettingsEnvironment(_ => null, () => AppContext.BaseDirectory));
        var command = new System.CommandLine.Command("serve");
        settings.AddTo(command);

        var result = command.Parse(["--max-requests", "10000", "--max-requests-jitter", "500", "--max-memory", "300", "--max-age", "12h", "--max-age-jitter", "30m", "--reload-batch-size", "2"]);
        Assert.Empty(result.Errors);
        var options = new ClusterOptions();
        RecycleSettings.From(settings.Resolve(result)).ApplyTo(options);

        Assert.Equal(10000, options.RecycleAfterRequests);
        Assert.Equal(500, options.RecycleRequestsJitter);
        Assert.Equal(300L * 1024 * 1024, options.RecycleAboveMemoryBytes);
        Assert.Equal(TimeSpan.FromHours(12), options.RecycleAfterAge);
        Assert.Equal(TimeSpan.FromMinutes(30), options.RecycleAgeJitter);
        Assert.Equal(2, options.ReloadBatchSize);
    }

    [Fact]
    public void Serve_NoRecycleFlags_RecyclingIsOff()
    {
        var result = Program.BuildCommand().Parse(["serve"]);

        Assert.Empty(result.Errors);
        Assert.Null(result.GetValue<long?>("--max-requests"));
        Assert.Null(result.GetValue<string?>("--max-age"));
        Assert.Equal(1, result.GetValue<int>("--reload-batch-size"));
    }

    [Theory]
    [InlineData("--max-requests", "0", "--max-requests must be a whole number of requests from 1 up; got '0'. Leave the flag out to turn this off.")]
    [InlineData("--max-memory", "-5", "--max-memory must be a whole number of MB from 1 up; got '-5'. Leave the flag out to turn this off.")]
    [InlineData("--max-age", "soon", "--max-age must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds); got 'soon'.")]
    [InlineData("--reload-batch-size", "0", "--reload-batch-size must be a whole number of workers from 1 up; got '0'. Leave the flag out to turn this off.")]
    public void Serve_BadRecycleFlag_ReportsTheFlagAndTheValue(string flag, string value, string message)
    {
        var result = Program.BuildCommand().Parse(["serve", flag, value]);

        Assert.Contains(message, result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Serve_JitterWithoutMaxRequests_IsAnError()
    {
        var result = Program.BuildCommand().Parse(["serve", "--max-requests-jitter", "100"]);

        Assert.Contains("--max-requests-jitter only applies together with --max-requests; add --max-requests N or drop --max-requests-jitter.", result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Serve_MaxAgeJitter_ZeroTurnsItOff_WithoutMaxAgeIsAnError()
    {
        var off = Program.BuildCommand().Parse(["serve", "--max-age", "1h", "--max-age-jitter", "0"]);
        Assert.Empty(off.Errors);
        Assert.Equal(TimeSpan.Zero, ServeRecycleOptions.TryParseJitter("0"));

        var alone = Program.BuildCommand().Parse(["serve", "--max-age-jitter", "5m"]);
        Assert.Contains("--max-age-jitter only applies together with --max-age; add --max-age N or drop --max-age-jitter.", alone.Errors.Select(e => e.Message));
        var bad = Program.BuildCommand().Parse(["serve", "--max-age", "1h", "--max-age-jitter", "soon"]);
        Assert.Contains("--max-age-jitter must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds); got 'soon'.", bad.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("1d", 86400)]
    [InlineData("45", 45)]
    [InlineData("1.5h", 5400)]
    public void TryParseDuration_Units(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), ServeRecycleOptions.TryParseDuration(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("1w")]
    public void TryParseDuration_Invalid_IsNull(string text)
    {
        Assert.Null(ServeRecycleOptions.TryParseDuration(text));
    }
}
