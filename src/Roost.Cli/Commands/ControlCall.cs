using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary>Runs one call of the public <see cref="ControlClient"/> for a control command; prints failures and maps them to exit codes.</summary>
internal static class ControlCall
{
    /// <summary>Runs <paramref name="call"/>; returns its result, or <see langword="null"/> and the exit code after printing why it failed.</summary>
    public static async Task<(T? Result, int ExitCode)> RunAsync<T>(ControlClient client, Func<ControlClient, Task<T>> call)
        where T : class
    {
        WidenRedirectedOutput();
        try
        {
            return (await call(client).ConfigureAwait(false), ExitCodes.Ok);
        }
        catch (ControlConnectException ex)
        {
            return (null, CommandErrors.Fail(ex.Message, ExitCode(ex.Failure)));
        }
        catch (ControlRefusedException ex)
        {
            return (null, CommandErrors.Fail(ex.Message, ex.Code == ControlErrorCodes.Forbidden ? ExitCodes.PermissionDenied : ExitCodes.Error));
        }
        catch (InvalidDataException ex)
        {
            // A reply this build cannot read: the message names the socket and the line.
            return (null, CommandErrors.Fail(ex.Message, ExitCodes.Error));
        }
        catch (IOException ex)
        {
            // The primary went away before it answered.
            return (null, CommandErrors.Fail(ex.Message, ExitCodes.Error));
        }
    }

    /// <summary>The exit code of a primary that could not be reached.</summary>
    public static int ExitCode(ControlConnectFailure failure) => failure switch
    {
        ControlConnectFailure.AccessDenied => ExitCodes.PermissionDenied,
        ControlConnectFailure.Ambiguous => ExitCodes.InvalidUsage,
        _ => ExitCodes.NotRunning,
    };

    /// <summary>Prints a progress line: the time and the message.</summary>
    public static void PrintProgress(ControlProgress progress) =>
        AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {progress.Message}");

    /// <summary>Spectre.Console assumes 80 columns when output is not a terminal; scripts and logs get whole lines.</summary>
    public static void WidenRedirectedOutput()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 240;
        }
    }
}
