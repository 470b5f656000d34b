using System.CommandLine;
using Roost.Cli.Configuration;
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
        // The same declarations as serve's and run's TLS options (same names and help); read from the command line only.
        Setting<string?>[] files = [RoostSettings.Cert, RoostSettings.Key, RoostSettings.Pfx, RoostSettings.Passphrase];
        var options = files.ToDictionary(s => s, s => (Option<string?>)s.CreateSymbols(SettingScope.Both)[0]);
        var ca = (Option<string[]>)RoostSettings.Ca.CreateSymbols(SettingScope.Both)[0];
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
        command.Options.Add(options[RoostSettings.Cert]);
        command.Options.Add(options[RoostSettings.Key]);
        command.Options.Add(ca);
        command.Options.Add(options[RoostSettings.Pfx]);
        command.Options.Add(options[RoostSettings.Passphrase]);
        command.SetAction(parse => Run(
            new TlsSettings(
                parse.GetValue(options[RoostSettings.Cert]),
                parse.GetValue(options[RoostSettings.Key]),
                parse.GetValue(ca) ?? [],
                parse.GetValue(options[RoostSettings.Pfx]),
                parse.GetValue(options[RoostSettings.Passphrase]) ?? PassphraseFromEnvironment()),
            parse.GetValue(host),
            Console.Out));
        return command;
    }

    private static string? PassphraseFromEnvironment() =>
        ((IEnumerable<string>)[RoostSettings.Passphrase.EnvironmentVariable, .. RoostSettings.Passphrase.EnvironmentAliases])
            .Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(value => value is not null);

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
