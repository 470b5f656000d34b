using Roost.Cli;
using Roost.Cli.Commands;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary><c>roost cert check</c> in process: parsing, one line per finding, exit codes.</summary>
public sealed class CertCheckCommandTests
{
    [Fact]
    public void ExpiredLeafAndMissingKey_PrintEveryError_AndExit5()
    {
        using var chain = TestCertificates.CreateChain();
        var missingKey = chain.Directory.File("missing.key");
        using var output = new StringWriter();

        var code = CertCheckCommand.Run(new TlsSettings(chain.LeafPath, missingKey, [chain.IntermediatePath, "nope.pem"], null, null), null, output);

        Assert.Equal(ExitCodes.CertificateInvalid, code);
        var errors = output.ToString().Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains($"'{missingKey}' (option --key) does not exist", errors[0], StringComparison.Ordinal);
        Assert.Contains("'nope.pem' (option --ca) does not exist", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CertCheck_AcceptsEveryDocumentedFlag()
    {
        var parse = Program.BuildCommand().Parse(["cert", "check", "--cert", "a.pem", "--key", "a.key", "--ca", "b.pem", "--ca", "c.pem", "--host", "example.test"]);

        Assert.Empty(parse.Errors);
        var pfx = Program.BuildCommand().Parse(["cert", "check", "--pfx", "a.pfx", "--passphrase", "x"]);
        Assert.Empty(pfx.Errors);
    }
}
