using System.Net.Sockets;
using Roost.Internal;
using Roost.Internal.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary>Connects to a primary, sends one request and hands each answer line to the caller; maps failures to exit codes.</summary>
internal static class ControlCall
{
    /// <summary>
    /// Runs one exchange. <paramref name="onResponse"/> returns <see langword="false"/> to stop reading early (e.g.
    /// <c>reload</c> without <c>--wait</c>). Returns the last response, or an exit code when no primary answered.
    /// </summary>
    public static async Task<(ControlResponse? Last, int ExitCode)> RunAsync(
        string directory, ControlRequest request, Func<ControlResponse, bool> onResponse, CancellationToken cancellationToken)
    {
        WidenRedirectedOutput();
        ControlClient client;
        try
        {
            client = ControlClient.Connect(directory);
        }
        catch (ControlConnectException ex)
        {
            var (message, code) = ex.Failure switch
            {
                ControlConnectFailure.Stale => (ClusterErrorMessages.StaleSocket(ex.SocketPath), ExitCodes.NotRunning),
                ControlConnectFailure.AccessDenied => (ClusterErrorMessages.SocketAccessDenied(ex.SocketPath), ExitCodes.PermissionDenied),
                _ => (ClusterErrorMessages.NoPrimary(ex.SocketPath, RunDirectory.BaseDirectory), ExitCodes.NotRunning),
            };
            return (null, ServeCommand.Fail(message, code));
        }

        using (client)
        {
            ControlResponse? last = null;
            try
            {
                await foreach (var response in client.ExchangeAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    last = response;
                    if (response is ControlResponse.Error error)
                    {
                        var code = error.Code == ControlProtocol.ErrorCodes.Forbidden ? ExitCodes.PermissionDenied : ExitCodes.Error;
                        return (last, ServeCommand.Fail(error.Message, code));
                    }

                    if (!onResponse(response))
                    {
                        return (last, ExitCodes.Ok);
                    }
                }
            }
            catch (InvalidDataException ex)
            {
                // A reply this build cannot read: the message names the socket and the line.
                return (last, ServeCommand.Fail(ex.Message, ExitCodes.Error));
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // The primary went away mid-answer: report what arrived.
                return (last, ServeCommand.Fail(ClusterErrorMessages.ConnectionClosed(client.SocketPath) + $" ({ex.Message})", ExitCodes.Error));
            }

            return (last, ExitCodes.Ok);
        }
    }

    /// <summary>Prints a progress line: the time and the message.</summary>
    public static void PrintProgress(ControlResponse.Progress progress) =>
        AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {progress.Message}");

    /// <summary>Spectre.Console assumes 80 columns when output is not a terminal; scripts and logs get whole lines.</summary>
    public static void WidenRedirectedOutput()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 240;
        }
    }

    public static int ClosedEarly(string directory) =>
        ServeCommand.Fail(ClusterErrorMessages.ConnectionClosed(RunDirectory.SocketPath(directory)), ExitCodes.Error);
}
