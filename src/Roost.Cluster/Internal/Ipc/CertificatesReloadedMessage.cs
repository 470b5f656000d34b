using Roost.Clustering.Internal.Control;
using Roost.Control;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary: what <see cref="ReloadCertificatesMessage"/> did, per certificate of every TLS server.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Certificates">One entry per certificate per TLS server.</param>
/// <param name="Error">Why the worker could not reload at all (e.g. no TLS server), or <see langword="null"/>.</param>
internal sealed record CertificatesReloadedMessage(int RequestId, IReadOnlyList<CertificateReport> Certificates, string? Error = null) : IpcMessage;
