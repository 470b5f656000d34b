using System.CommandLine;
using System.Globalization;
using Roost.Acme;
using Roost.Cli.Configuration;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost cert status</c>: the certificates <c>roost serve --domain</c> and <c>roost run --domain</c> manage, read from the state files under
/// --acme-dir (no running instance needed): names, issuer, serial, expiry, next renewal attempt and last error.
/// </summary>
internal static class CertStatusCommand
{
    public static Command Create()
    {
        var dir = (Option<string?>)RoostSettings.AcmeDir.CreateSymbols(SettingScope.Serve)[0];
        var command = new Command("status", "Show the certificates 'roost serve --domain' and 'roost run --domain' manage: per certificate its names, issuer, serial, expiry, the next renewal attempt and the last error. Exit code 0, or 1 when a certificate's last attempt failed.")
        {
            dir,
        };
        command.SetAction(parse => Run(parse.GetValue(dir) ?? Environment.GetEnvironmentVariable(RoostSettings.AcmeDir.EnvironmentVariable) ?? AcmeStorage.DefaultRoot, Console.Out, DateTimeOffset.UtcNow));
        return command;
    }

    internal static int Run(string root, TextWriter output, DateTimeOffset now)
    {
        var states = Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "state.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 }).Order(StringComparer.Ordinal).ToList()
            : [];
        if (states.Count == 0)
        {
            output.WriteLine($"No managed certificates in '{root}' (roost serve|run --domain keeps them there; --acme-dir names another folder).");
            return ExitCodes.Ok;
        }

        var failing = false;
        foreach (var path in states)
        {
            var state = AcmeStorage.ReadState(path);
            var folder = Path.GetDirectoryName(path)!;
            if (state is null)
            {
                output.WriteLine($"{folder}: state.json cannot be read; it is rewritten after the next attempt.");
                continue;
            }

            output.WriteLine(string.Join(", ", state.Names));
            output.WriteLine($"  CA:           {Path.GetFileName(Path.GetDirectoryName(folder))}");
            output.WriteLine($"  issuer:       {state.Issuer ?? "none yet"}");
            output.WriteLine($"  serial:       {state.SerialNumber ?? "-"}");
            output.WriteLine($"  expires:      {(state.NotAfter is { } notAfter ? $"{Date(notAfter)} ({Remaining(notAfter - now)})" : "-")}");
            output.WriteLine($"  next attempt: {(state.NextAttempt is { } next ? $"{Date(next)} ({Remaining(next - now)})" : "-")}");
            output.WriteLine($"  last error:   {(state.LastError is null ? "none" : $"{Date(state.LastErrorAt ?? now)} (attempt {state.FailedAttempts}): {state.LastError}")}");
            if (state.RenewalWindow is { } window)
            {
                output.WriteLine($"  CA window:    {Date(window.Start)} to {Date(window.End)} (ACME renewal information)");
            }

            if (state.PlaceholderSerial is not null)
            {
                output.WriteLine($"  serving:      the development chain (serial {state.PlaceholderSerial}, --acme-fallback dev) until the first certificate is issued");
            }

            output.WriteLine($"  files:        {Path.Combine(folder, "cert.pem")}, {Path.Combine(folder, "key.pem")}");
            failing |= state.LastError is not null;
        }

        return failing ? ExitCodes.Error : ExitCodes.Ok;
    }

    private static string Date(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Remaining(TimeSpan span) => span < TimeSpan.Zero
        ? "past"
        : span.TotalDays >= 2 ? $"in {(int)span.TotalDays} days" : span.TotalHours >= 2 ? $"in {(int)span.TotalHours} hours" : $"in {Math.Max(0, (int)span.TotalSeconds)} seconds";
}
