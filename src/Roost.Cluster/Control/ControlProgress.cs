namespace Roost.Control;

/// <summary>Something that happened while an operation asked on the control socket runs (a <c>progress</c> line).</summary>
/// <param name="Event">
/// What happened: <c>accepted</c>, <c>forked</c>, <c>ready</c>, <c>draining</c>, <c>exited</c>, <c>certificates</c> or
/// <c>stopping</c>.
/// </param>
/// <param name="Message">The line to show, naming the worker (id, pid, generation).</param>
/// <param name="WorkerId">The worker it is about, if any.</param>
/// <param name="Pid">That worker's process id.</param>
/// <param name="Generation">That worker's generation.</param>
public sealed record ControlProgress(string Event, string Message, int? WorkerId = null, int? Pid = null, int? Generation = null);
