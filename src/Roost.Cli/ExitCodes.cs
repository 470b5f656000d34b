namespace Roost.Cli;

/// <summary>Process exit codes of the <c>roost</c> command (documented in <c>roost --help</c> and docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Finished normally (including a graceful stop after SIGINT/SIGTERM).</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error; the message says what happened.</summary>
    public const int Error = 1;

    /// <summary>The command line was not valid.</summary>
    public const int InvalidUsage = 2;

    /// <summary>A worker failed during startup (before it listened); workers are not restarted after boot failures.</summary>
    public const int WorkerBootFailed = 3;

    /// <summary>The application could not be loaded.</summary>
    public const int ApplicationLoadFailed = 4;

    /// <summary>The certificate, key or chain is not usable.</summary>
    public const int CertificateInvalid = 5;

    /// <summary>The server could not listen (port in use, not allowed, address not available).</summary>
    public const int ListenFailed = 6;

    /// <summary>Workers crashed too often (10 times within 60 s by default); the cluster stopped instead of restarting in a loop.</summary>
    public const int WorkersCrashLooping = 7;

    /// <summary>No primary answers on the control socket (status, reload, scale, stop): none runs under that name, or the socket is stale.</summary>
    public const int NotRunning = 8;

    /// <summary>The operation ran and did not succeed: a reload aborted (the old generation keeps serving), a scale failed, a worker did not answer a certificate reload.</summary>
    public const int OperationFailed = 9;

    /// <summary>Another operation (reload or scale) is running; nothing was changed. Try again when it is done.</summary>
    public const int Busy = 10;

    /// <summary>The primary refused the connection: the command runs as another user than the server.</summary>
    public const int PermissionDenied = 11;

    /// <summary>The text shown in <c>--help</c>.</summary>
    public const string HelpText =
        "Exit codes: 0 ok, 1 error, 2 invalid usage, 3 worker boot failed, 4 application load failed, 5 certificate invalid, 6 cannot listen, 7 workers crash-looping, 8 no primary running, 9 operation failed (reload aborted, scale failed), 10 busy, 11 permission denied.";
}
