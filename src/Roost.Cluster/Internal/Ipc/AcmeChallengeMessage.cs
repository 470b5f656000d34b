namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Primary → worker: a TLS-ALPN-01 challenge to answer on the serving port (<paramref name="Digest"/>: base64 of the
/// SHA-256 of the key authorization, RFC 8737 §3), or no longer (<paramref name="Digest"/> <see langword="null"/>).
/// Sent to every worker and spare when the primary's ACME manager publishes or withdraws one, and the pending ones to
/// each worker as it starts. The worker makes the challenge certificate itself; nothing in the message is secret.
/// </summary>
/// <param name="Name">The DNS name being validated.</param>
/// <param name="Digest">Base64 of the 32-byte digest, or <see langword="null"/> to stop answering.</param>
internal sealed record AcmeChallengeMessage(string Name, string? Digest = null) : IpcMessage;
