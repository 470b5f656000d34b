namespace Roost.Control;

/// <summary>One supervision event in a <see cref="ClusterMetricsSnapshot"/>: a log line of the primary's supervisor at Information or above.</summary>
/// <param name="Time">When.</param>
/// <param name="EventId">The log event id.</param>
/// <param name="Event">The log event name (WorkerForked, WorkerExited, ReloadCompleted…).</param>
/// <param name="Level">Information, Warning, Error or Critical.</param>
/// <param name="Message">The log line's text.</param>
/// <param name="WorkerId">The worker it is about, when there is one.</param>
public sealed record SupervisionEvent(DateTimeOffset Time, int EventId, string Event, string Level, string Message, int? WorkerId);
