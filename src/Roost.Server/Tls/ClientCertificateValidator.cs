using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Roost.Tls;

/// <summary>
/// Validates client certificates for mutual TLS: the chain must reach one of the configured CAs, and the certificate
/// must carry the clientAuth extended key usage (.NET's chain validation checks usages only when
/// <see cref="X509ChainPolicy.ApplicationPolicy"/> names them).
/// </summary>
internal sealed class ClientCertificateValidator
{
    private readonly X509Certificate2Collection _authorities;
    private readonly ClientCertificateMode _mode;
    private readonly ILogger _logger;

    private ClientCertificateValidator(X509Certificate2Collection authorities, ClientCertificateMode mode, ILogger logger)
    {
        _authorities = authorities;
        _mode = mode;
        _logger = logger;
    }

    /// <summary>Reads the CA files; <see langword="null"/> when client certificates are off.</summary>
    public static ClientCertificateValidator? Create(SecureServerOptions options, ILogger logger)
    {
        if (options.ClientCertificateMode == ClientCertificateMode.Off)
        {
            return null;
        }

        const string Option = "ClientCertificateAuthorities";
        if (options.ClientCertificateAuthorities.Count == 0)
        {
            throw new CertificateLoadException(ErrorMessages.ClientCaMissing(options.ClientCertificateMode), null, Option);
        }

        var authorities = new X509Certificate2Collection();
        foreach (var input in options.ClientCertificateAuthorities)
        {
            var bytes = input.Read(Option);
            var certificates = CertificateLoader.ParseCertificates(bytes, input, Option, out _);
            if (certificates.Count == 0)
            {
                throw new CertificateLoadException(ErrorMessages.TlsNotACertificate(input, Option, CertificateLoader.DescribeContent(bytes)), input.Path, Option);
            }

            authorities.AddRange(certificates.ToArray());
        }

        return new ClientCertificateValidator(authorities, options.ClientCertificateMode, logger);
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? sentChain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            if (_mode == ClientCertificateMode.Require)
            {
                Log.TlsHandshakeRejected(_logger, Describe(sender), ErrorMessages.ClientCertificateMissing());
                return false;
            }

            return true;
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        // Self-signed authorities are the trust anchors; intermediates given with them help build the chain.
        foreach (var authority in _authorities)
        {
            if (CertificateLoader.IsSelfIssued(authority))
            {
                chain.ChainPolicy.CustomTrustStore.Add(authority);
            }
            else
            {
                chain.ChainPolicy.ExtraStore.Add(authority);
            }
        }

        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(CertificateChainFactory.ClientAuthOid));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (sentChain is not null)
        {
            // Intermediates the client sent along with its certificate.
            foreach (var element in sentChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }

            chain.ChainPolicy.ExtraStore.AddRange(sentChain.ChainPolicy.ExtraStore);
        }

        if (chain.Build(leaf))
        {
            return true;
        }

        var status = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status} ({s.StatusInformation.Trim()})").Distinct());
        Log.TlsHandshakeRejected(_logger, Describe(sender), ErrorMessages.ClientCertificateRejected(leaf, status));
        return false;
    }

    private static string Describe(object sender) => sender is SslStream { } ? "client" : sender.ToString() ?? "client";
}
