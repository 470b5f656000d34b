namespace Roost.Clustering.Internal.Ipc;

/// <summary>Primary → worker: read the certificate files of every TLS server again and swap in what changed and passed the check (no restart).</summary>
/// <param name="RequestId">Echoed in the answer.</param>
internal sealed record ReloadCertificatesMessage(int RequestId) : IpcMessage;
