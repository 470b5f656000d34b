namespace Roost.Abuse;

/// <summary>How hard and how long an attack runs.</summary>
/// <param name="Connections">Attacking connections open at once.</param>
/// <param name="Duration">How long the attack goes on.</param>
public sealed record AttackSettings(int Connections, TimeSpan Duration);

/// <summary>One abusive client behaviour.</summary>
/// <param name="Name">Identifier used on the command line and in the report.</param>
/// <param name="What">One line saying what the attacker does.</param>
/// <param name="DefaultConnections">Connections when the caller does not say.</param>
/// <param name="Run">Runs the attack until its duration ends, counting what the server answered.</param>
public sealed record Attack(string Name, string What, int DefaultConnections,
    Func<Target, AttackSettings, Tally, CancellationToken, Task> Run)
{
    /// <summary>
    /// Runs <paramref name="perConnection"/> on <paramref name="settings"/>.Connections parallel loops until the
    /// duration ends; each loop reconnects when a connection ends (the attacker keeps coming back).
    /// </summary>
    public static async Task LoopAsync(AttackSettings settings, Tally tally, CancellationToken cancellationToken,
        Func<CancellationToken, Task> perConnection)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Duration);
        var loops = Enumerable.Range(0, settings.Connections).Select(async _ =>
        {
            while (!deadline.IsCancellationRequested)
            {
                try
                {
                    await perConnection(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
                {
                    // Refused, reset during connect, or handshake refused: counted, then the attacker tries again.
                    tally.Answer("connect failed: " + ex.GetType().Name);
                    await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
                }
            }
        });
        await Task.WhenAll(loops).ConfigureAwait(false);
    }
}
