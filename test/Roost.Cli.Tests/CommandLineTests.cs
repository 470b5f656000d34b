using System.CommandLine;
using Roost.Cli;

namespace Roost.Cli.Tests;

/// <summary>Parsing, defaults and help text of the roost command.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Serve_NoArguments_UsesDocumentedDefaults()
    {
        var result = Program.BuildCommand().Parse(["serve"]);

        Assert.Empty(result.Errors);
        Assert.Equal(8443, result.GetValue<int>("--port"));
        Assert.Equal("0.0.0.0", result.GetValue<string>("--host"));
        Assert.Equal(30, result.GetValue<double>("--shutdown-timeout"));
        Assert.Equal("text", result.GetValue<string>("--log-format"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("65536")]
    public void Serve_PortOutOfRange_ReportsTheValueAndTheRange(string port)
    {
        var result = Program.BuildCommand().Parse(["serve", "--port", port]);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"Port {port} is out of range. Use a port from 1 to 65535, or 0 to let the system pick a free one. (option --port)", error.Message);
    }

    [Fact]
    public void Serve_SeveralCaFiles_AreAllKept()
    {
        var result = Program.BuildCommand().Parse(["serve", "--cert", "a.cer", "--key", "a.key", "--ca", "chain1.cer", "--ca", "chain2.cer"]);

        Assert.Empty(result.Errors);
        Assert.Equal(["chain1.cer", "chain2.cer"], result.GetValue<string[]>("--ca")!);
    }

    [Fact]
    public async Task Serve_InvalidPort_ExitsWithInvalidUsage()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await Program.RunAsync(["serve", "--port", "70000"], new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.InvalidUsage, exitCode);
        Assert.Contains("error: Port 70000 is out of range", error.ToString());
    }

    [Fact]
    public async Task Help_ListsExitCodesAndDefaults()
    {
        var output = new StringWriter();
        await Program.BuildCommand().Parse(["serve", "--help"]).InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);
        var rootOutput = new StringWriter();
        await Program.BuildCommand().Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = rootOutput }, TestContext.Current.CancellationToken);

        Assert.Contains("--port", output.ToString());
        Assert.Contains("8443", output.ToString());
        Assert.Contains(ExitCodes.HelpText, rootOutput.ToString());
    }
}
