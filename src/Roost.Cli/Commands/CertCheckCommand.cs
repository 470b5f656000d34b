using System.CommandLine;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost cert check</c>: prints one line per finding of <see cref="CertificateCheck"/> (<c>error:</c>, <c>warning:</c>,
/// <c>ok:</c>) on stdout and exits with <see cref="ExitCodes.CertificateInvalid"/> when there is an error.
/// </summary>
internal static class CertCheckCommand
{
    public const string ExitCodesHelp =
        "Exit codes: 0 no errors (warnings may be printed), 5 at least one error, 2 invalid usage.";

    public static Command Create()
    {
        var tls = new TlsOptions();
        var host = new Option<string?>("--host")
        {
            Description = "A host name (or IP address) the certificate must cover; checked against its subject alternative names, as browsers do.",
        };
        var command = new Command(
            "check",
            "Check a certificate, its key and chain the way 'roost serve' does before it starts, and print every finding, one per line: 'error:', 'warning:' or 'ok:'.\n" + ExitCodesHelp)
        {
            host,
        };
        tls.AddTo(command);
        command.SetAction(parse => Run(tls.Read(parse), parse.GetValue(host), Console.Out));
        return command;
    }

    internal static int Run(TlsSettings settings, string? host, TextWriter output)
    {
        var result = CertificateCheck.Run(settings.ToSource(), new CertificateCheckOptions { Host = host });
        result.Bundle?.Dispose();
        foreach (var finding in result.Findings)
        {
            output.WriteLine(finding.ToString());
        }

        return result.HasErrors ? ExitCodes.CertificateInvalid : ExitCodes.Ok;
    }
}
