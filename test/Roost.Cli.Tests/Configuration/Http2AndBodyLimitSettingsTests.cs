using System.CommandLine;
using Roost.Cli.Commands;
using Roost.Cli.Configuration;
using Roost.StartupHook;

namespace Roost.Cli.Tests.Configuration;

/// <summary>
/// The h2 flood limits (<c>--http2-*</c>) reach the server options of <c>roost serve</c> and, through the workers'
/// configuration, of <c>roost run</c>; <c>--max-body-size</c> has serve's 1m default only under serve.
/// </summary>
public sealed class Http2AndBodyLimitSettingsTests
{
    // Verifies: the three limits and the GOAWAY grace given as options become the serve workers' Http2Options, and the
    // defaults are the library's own (100, 33, 16, 1 s).
    [Fact]
    public void Http2Limits_Serve_ReachTheServerOptions()
    {
        using var harness = new SettingsHarness();

        var (parse, settings) = harness.Resolve(SettingScope.Serve, "--http2-stream-reset-burst", "5", "--http2-stream-resets-per-second", "0", "--http2-max-continuation-frames", "2", "--http2-goaway-grace", "2.5");
        var given = new SecureServerOptions();
        ServeCommand.FromSettings(settings).Http2!.ApplyTo(given.Http2);
        var (_, defaults) = harness.Resolve(SettingScope.Serve);
        var byDefault = new SecureServerOptions();
        ServeCommand.FromSettings(defaults).Http2!.ApplyTo(byDefault.Http2);

        Assert.Empty(parse.Errors);
        Assert.Equal((5, 0, 2, TimeSpan.FromSeconds(2.5)), (given.Http2.StreamResetBurst, given.Http2.StreamResetsPerSecond, given.Http2.MaxContinuationFrames, given.Http2.GoAwayGracePeriod));
        var library = new Http2Options();
        Assert.Equal(
            (library.StreamResetBurst, library.StreamResetsPerSecond, library.MaxContinuationFrames, library.GoAwayGracePeriod),
            (byDefault.Http2.StreamResetBurst, byDefault.Http2.StreamResetsPerSecond, byDefault.Http2.MaxContinuationFrames, byDefault.Http2.GoAwayGracePeriod));
    }

    // Verifies: roost run's workers get the limits and the grace through their configuration (JSON in ROOST_RUN_CONFIG) into the
    // app's server options; a configuration without them keeps the library's defaults.
    [Fact]
    public void Http2Limits_RunWorkerConfig_SurviveTheJsonIntoTheServerOptions()
    {
        var config = RunWorkerConfig.Parse(new RunWorkerConfig { Http2StreamResetBurst = 7, Http2StreamResetsPerSecond = 0, Http2MaxContinuationFrames = 3, Http2GoAwayGraceMilliseconds = 250 }.ToJson());
        var without = RunWorkerConfig.Parse(new RunWorkerConfig().ToJson());

        var options = config.ToServerOptions().Http2;
        var defaults = without.ToServerOptions().Http2;

        Assert.Equal((7, 0, 3, TimeSpan.FromMilliseconds(250)), (options.StreamResetBurst, options.StreamResetsPerSecond, options.MaxContinuationFrames, options.GoAwayGracePeriod));
        Assert.Equal((100, 33, 16, TimeSpan.FromSeconds(1)), (defaults.StreamResetBurst, defaults.StreamResetsPerSecond, defaults.MaxContinuationFrames, defaults.GoAwayGracePeriod));
    }

    // Verifies: --max-body-size defaults to 1m under serve only: roost run has no default (its --help shows none, and
    // unless given the app keeps its own Kestrel limit), while a given value applies to both.
    [Fact]
    public void MaxBodySize_DefaultsTo1mUnderServeOnly()
    {
        using var harness = new SettingsHarness();

        var (_, serve) = harness.Resolve(SettingScope.Serve);
        var (_, run) = harness.Resolve(SettingScope.Run, "app.dll");
        var (_, runGiven) = harness.Resolve(SettingScope.Run, "app.dll", "--max-body-size", "2k");

        Assert.Equal("1m", serve.Get(RoostSettings.MaxBodySize));
        Assert.Null(run.Get(RoostSettings.MaxBodySize));
        Assert.Equal(SettingSourceKind.Default, run.SourceOf(RoostSettings.MaxBodySize).Kind);
        Assert.False(RunCommand.FromSettings(run).Serve.MaxBodySizeGiven);
        Assert.True(RunCommand.FromSettings(runGiven).Serve.MaxBodySizeGiven);
        Assert.Equal(2048, RunCommand.FromSettings(runGiven).Serve.MaxBodySize);
        Assert.True(((Option)RoostSettings.MaxBodySize.CreateSymbols(SettingScope.Serve)[0]).HasDefaultValue);
        Assert.False(((Option)RoostSettings.MaxBodySize.CreateSymbols(SettingScope.Run)[0]).HasDefaultValue);
    }
}
