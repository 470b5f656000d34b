namespace Roost.Control;

/// <summary>What a certificate reload did with one certificate in one worker (<see cref="WorkerCertificates.Certificates"/>).</summary>
/// <param name="Server">The server's end point.</param>
/// <param name="Name"><c>default</c>, or the SNI host name.</param>
/// <param name="Status"><c>unchanged</c>, <c>reloaded</c> or <c>rejected</c>.</param>
/// <param name="OldSerialNumber">The serial number served before.</param>
/// <param name="NewSerialNumber">The serial number served now.</param>
/// <param name="Errors">Why a new set was rejected (each names the file as given).</param>
public sealed record CertificateReport(string Server, string Name, string Status, string OldSerialNumber, string NewSerialNumber, IReadOnlyList<string> Errors);
