using System.CommandLine;
using Roost.Cli;

namespace Roost.Cli.Tests;

/// <summary>Parsing and usage errors of status, reload, scale and stop (no primary needed).</summary>
public sealed class ControlCommandsTests
{
    [Theory]
    [InlineData("4")]
    [InlineData("+2")]
    [InlineData("-1")]
    [InlineData("1024")]
    public void Scale_ValidValue_Parses(string value)
    {
        var result = Program.BuildCommand().Parse(["scale", value, "--name", "web"]);

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("0", "Cannot scale to 0 worker(s): the count must be between 1 and 1024. To stop every worker, stop the cluster ('roost stop' or Cluster.StopAsync).")]
    [InlineData("2000", "Cannot scale to 2000 worker(s): the count must be between 1 and 1024. Ask for 1024 or fewer.")]
    [InlineData("many", "Scale value 'many' is not valid: give a worker count (e.g. 4), or '+N' / '-N' to add or remove workers.")]
    [InlineData("+0", "Scale value '+0' is not valid: give a worker count (e.g. 4), or '+N' / '-N' to add or remove workers.")]
    public void Scale_BadValue_IsAUsageErrorNamingTheValue(string value, string message)
    {
        var result = Program.BuildCommand().Parse(["scale", value]);

        Assert.Equal(message, Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Name_WithASlash_IsAUsageError()
    {
        var result = Program.BuildCommand().Parse(["status", "--name", "../etc"]);

        Assert.Equal("Instance name '../etc' (option --name) is not valid: use 1 to 100 letters, digits, '.', '_' or '-'.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Stop_NegativeTimeout_IsAUsageError()
    {
        var result = Program.BuildCommand().Parse(["stop", "--timeout", "-1"]);

        Assert.Equal("--timeout must be between 0 and 86400 seconds; got -1.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Help_ListsTheControlCommandsAndTheirExitCodes()
    {
        var output = new StringWriter();
        await Program.BuildCommand().Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        foreach (var command in new[] { "status", "reload", "scale", "stop" })
        {
            Assert.Contains(command, output.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("8 no primary running", output.ToString(), StringComparison.Ordinal);
    }
}
