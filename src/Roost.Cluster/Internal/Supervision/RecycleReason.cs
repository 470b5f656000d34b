namespace Roost.Clustering.Internal.Supervision;

/// <summary>Why a worker is recycled: which limit (its setting name), the limit and the value seen, as text for the log.</summary>
internal sealed record RecycleReason(string Setting, string Limit, string Seen);
