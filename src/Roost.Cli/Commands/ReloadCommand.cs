using System.CommandLine;
using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary><c>roost reload</c>: a rolling reload of a running primary, or with <c>--certs-only</c> a certificate swap in every worker.</summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var target = new ControlTarget();
        var wait = new Option<bool>("--wait") { Description = "Wait for the reload to finish, showing progress; exit 9 if it aborts (the old generation keeps serving)." };
        var certsOnly = new Option<bool>("--certs-only")
        {
            Description = "Only re-read the certificate files in every worker (no restart); a bad new certificate keeps the old one (exit 5). Always waits.",
        };
        var command = new Command("reload", "Replace every worker of a running primary one at a time without dropping requests (like SIGHUP), or swap certificates with --certs-only.")
        {
            wait, certsOnly,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(target, parse, parse.GetValue(wait), parse.GetValue(certsOnly), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ControlTarget target, ParseResult parse, bool wait, bool certsOnly, CancellationToken cancellationToken)
    {
        var (client, exitCode) = target.Resolve(parse);
        if (client is null)
        {
            return exitCode;
        }

        var (result, code) = await ControlCall.RunAsync(client, c =>
            certsOnly ? c.ReloadCertificatesAsync(ControlCall.PrintProgress, cancellationToken)
            : wait ? c.ReloadAsync(ControlCall.PrintProgress, cancellationToken)

            // Without --wait the reload goes on in the primary; its acceptance is the answer.
            : c.StartReloadAsync(ControlCall.PrintProgress, cancellationToken)).ConfigureAwait(false);
        if (result is null)
        {
            return code;
        }

        if (!wait && !certsOnly && result.Outcome == "accepted")
        {
            Console.Out.WriteLine("Reload started; 'roost status' shows the generations, 'roost reload --wait' waits for the outcome.");
            return ExitCodes.Ok;
        }

        return certsOnly ? ReportCertificates(result) : ReportReload(result);
    }

    private static int ReportReload(ControlResult result)
    {
        if (result.Succeeded)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]Reloaded[/]: every worker now runs generation {result.Generation}.");
            return ExitCodes.Ok;
        }

        return CommandErrors.Fail(result.Message ?? "The reload was aborted.", ExitCodes.OperationFailed);
    }

    private static int ReportCertificates(ControlResult result)
    {
        foreach (var worker in result.Certificates)
        {
            foreach (var certificate in worker.Certificates)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"worker {worker.WorkerId} (pid {worker.Pid}) {certificate.Server} {certificate.Name}: {certificate.Status}, serial {certificate.OldSerialNumber} -> {certificate.NewSerialNumber}");
            }
        }

        return result.Outcome switch
        {
            "reloaded" or "unchanged" => Done(result.Outcome),
            "rejected" => CommandErrors.Fail(result.Message ?? "The new certificate was rejected; the old one keeps serving.", ExitCodes.CertificateInvalid),
            _ => CommandErrors.Fail(result.Message ?? "The certificate reload failed.", ExitCodes.OperationFailed),
        };

        static int Done(string outcome)
        {
            Console.Out.WriteLine(outcome == "reloaded"
                ? "Certificates reloaded in every worker; new connections get the new certificate."
                : "Certificates unchanged: the files hold the certificates already served.");
            return ExitCodes.Ok;
        }
    }
}
