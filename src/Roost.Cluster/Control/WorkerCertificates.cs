namespace Roost.Control;

/// <summary>One worker's answer to a certificate reload (<see cref="ControlResult.Certificates"/>).</summary>
/// <param name="WorkerId">The worker id.</param>
/// <param name="Pid">The process id.</param>
/// <param name="Generation">The worker's generation.</param>
/// <param name="Ok">The worker reloaded (or found nothing new) and rejected nothing.</param>
/// <param name="Error">Why the worker could not reload (no answer, no TLS server…); <see langword="null"/> when it could.</param>
/// <param name="Certificates">One entry per certificate per TLS server.</param>
public sealed record WorkerCertificates(int WorkerId, int Pid, int Generation, bool Ok, string? Error, IReadOnlyList<CertificateReport> Certificates);
