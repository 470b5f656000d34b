namespace Roost.Control;

/// <summary>The outcome of an operation asked on the control socket: reload, certificate reload, scale, recycle or stop.</summary>
public sealed class ControlResult
{
    internal ControlResult(string operation, string outcome, bool succeeded)
    {
        Operation = operation;
        Outcome = outcome;
        Succeeded = succeeded;
    }

    /// <summary>Gets the operation: <c>reload</c>, <c>reload-certs</c>, <c>scale</c>, <c>recycle</c> or <c>stop</c>.</summary>
    public string Operation { get; }

    /// <summary>
    /// Gets what happened. reload: <c>reloaded</c> or <c>aborted</c> (the old generation keeps serving), or
    /// <c>accepted</c> from <see cref="ControlClient.StartReloadAsync"/>. reload-certs: <c>reloaded</c>, <c>unchanged</c>,
    /// <c>rejected</c> (the old certificate keeps serving) or <c>failed</c>. scale: <c>scaled</c>, <c>unchanged</c>,
    /// <c>rejected</c>, <c>busy</c> or <c>failed</c>. recycle: <c>recycled</c>, <c>aborted</c>, <c>rejected</c> or
    /// <c>busy</c>. stop: <c>stopped</c>, or <c>exited</c> when the primary exited
    /// before its last line arrived.
    /// </summary>
    public string Outcome { get; }

    /// <summary>Gets a value indicating whether the operation did what was asked.</summary>
    public bool Succeeded { get; }

    /// <summary>Gets why it did not (what, which worker or file, what to do); <see langword="null"/> when it did.</summary>
    public string? Message { get; init; }

    /// <summary>Gets the generation after a reload.</summary>
    public int? Generation { get; init; }

    /// <summary>Gets the worker count after a scale.</summary>
    public int? Workers { get; init; }

    /// <summary>Gets the worker count before a scale.</summary>
    public int? Previous { get; init; }

    /// <summary>Gets the primary's exit code after a stop (see <see cref="ClusterExitCodes"/>).</summary>
    public int? ExitCode { get; init; }

    /// <summary>Gets, after a certificate reload, what each worker did; empty for the other operations.</summary>
    public IReadOnlyList<WorkerCertificates> Certificates { get; init; } = [];
}
