namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Worker → primary: this worker now answers the TLS-ALPN-01 challenge of <see cref="AcmeChallengeMessage"/> for
/// <paramref name="Name"/> with <paramref name="Digest"/>. The primary's ACME issuer tells the CA to validate once every
/// live worker said so (or after a bounded wait).
/// </summary>
/// <param name="Name">The DNS name being validated.</param>
/// <param name="Digest">Base64 of the digest the worker holds, as the primary sent it.</param>
internal sealed record AcmeChallengeHeldMessage(string Name, string Digest) : IpcMessage;
