namespace Roost.Acme;

/// <summary>
/// How the user named the ACME settings where the manager was started, so that its messages speak the user's
/// language: <c>roost serve|run --domain</c> users set flags (<see cref="Cli"/>), façade users set
/// <see cref="SecureServerOptions.Acme"/>'s properties (<see cref="Facade"/>). Each entry point passes its own
/// (<see cref="AcmeSettings.SettingNames"/>).
/// </summary>
/// <param name="Domains">The names of the certificate.</param>
/// <param name="StateDirectory">The ACME state folder.</param>
/// <param name="HttpPort">The HTTP-01 listener's port.</param>
/// <param name="Challenge">The challenge choice.</param>
/// <param name="DirectoryUrl">The CA's directory URL.</param>
/// <param name="CaCertificateFile">The PEM file the CA's HTTPS certificate chains to.</param>
/// <param name="ServingPort">The HTTPS port (where TLS-ALPN-01 is answered).</param>
/// <param name="FallbackToDevelopment">The switch that serves the development chain until the first certificate, as the user writes it on.</param>
internal sealed record AcmeSettingNames(
    string Domains,
    string StateDirectory,
    string HttpPort,
    string Challenge,
    string DirectoryUrl,
    string CaCertificateFile,
    string ServingPort,
    string FallbackToDevelopment)
{
    /// <summary>The flags (and roost.json keys of the same names) of <c>roost serve</c> and <c>roost run</c>.</summary>
    public static AcmeSettingNames Cli { get; } = new(
        "--domain", "--acme-dir", "--acme-http-port", "--acme-challenge", "--acme-ca", "--acme-ca-cert", "--port", "--acme-fallback dev");

    /// <summary>The properties of <see cref="SecureServerOptions.Acme"/> (<see cref="AcmeOptions"/>), and <c>ListenAsync(port)</c> for the serving port.</summary>
    public static AcmeSettingNames Facade { get; } = new(
        Option(nameof(AcmeOptions.Domains)),
        Option(nameof(AcmeOptions.StateDirectory)),
        Option(nameof(AcmeOptions.HttpPort)),
        Option(nameof(AcmeOptions.Challenge)),
        Option(nameof(AcmeOptions.DirectoryUrl)),
        Option(nameof(AcmeOptions.CaCertificateFile)),
        "ListenAsync(port)",
        Option(nameof(AcmeOptions.FallbackToDevelopment)) + " = true");

    private static string Option(string property) => $"{nameof(SecureServerOptions)}.{nameof(SecureServerOptions.Acme)}.{property}";
}
