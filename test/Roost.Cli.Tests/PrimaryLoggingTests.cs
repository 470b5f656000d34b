using Microsoft.Extensions.Logging;

namespace Roost.Cli.Tests;

/// <summary>
/// The cluster primary's light console logger writes the simple console logger's single-line text format
/// (<c>HH:mm:ss info: Category[id] message</c>), Information and above, one line per entry.
/// </summary>
public sealed class PrimaryLoggingTests
{
    [Fact]
    public void Log_Information_WritesSimpleConsoleSingleLine()
    {
        using var output = new StringWriter();
        using var factory = new PrimaryConsoleLoggerFactory(output, colors: false);
        var logger = factory.CreateLogger("Roost.Cluster");

        logger.Log(LogLevel.Information, new EventId(2000), "Forked worker 1", null, static (s, _) => s);
        logger.Log(LogLevel.Debug, new EventId(1), "hidden", null, static (s, _) => s);
        logger.Log(LogLevel.Error, new EventId(7), "two\nlines", new InvalidOperationException("boom"), static (s, _) => s);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d\d:\d\d:\d\d info: Roost\.Cluster\[2000\] Forked worker 1$", lines[0]);
        Assert.Matches(@"^\d\d:\d\d:\d\d fail: Roost\.Cluster\[7\] two lines System\.InvalidOperationException: boom$", lines[1]);
    }

    [Fact]
    public void CreateForPrimary_Json_KeepsTheFullConsoleLogger()
    {
        using var factory = Logging.CreateForPrimary("json");

        Assert.IsNotType<PrimaryConsoleLoggerFactory>(factory);
    }
}
