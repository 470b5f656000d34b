using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Roost.Acme;

/// <summary>A certificate as the CA issued it: the chain (PEM, leaf first) and the new private key (PKCS#8 PEM).</summary>
internal sealed record AcmeIssuedCertificate(string ChainPem, string KeyPem, string SerialNumber, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>
/// One issuance, as RFC 8555 §7.1 describes it:
/// <list type="number">
/// <item>order the names (§7.4);</item>
/// <item>for each authorization not yet valid, publish the key authorization — HTTP-01 on the port-80 listener, or
/// TLS-ALPN-01 (RFC 8737) as a challenge certificate for <c>acme-tls/1</c> handshakes on the serving port — tell the
/// CA, and poll until it is valid or invalid (§7.5.1);</item>
/// <item>poll the order until it is ready; finalize with a CSR for a new key (P-256 or RSA 2048);</item>
/// <item>poll until the order is valid, then download the chain (§7.4.2).</item>
/// </list>
/// </summary>
internal sealed class AcmeIssuer(AcmeClient client, AcmeAccountKey accountKey, Http01Responder? http01, ILogger logger)
{
    /// <summary>How long an authorization or order may stay pending or processing before the attempt is given up.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Polling interval when the CA gives no Retry-After (Let's Encrypt's integration guide: a few seconds is fine).</summary>
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>One issuance whose names are proven with <paramref name="challengeType"/> (http-01 or tls-alpn-01).</summary>
    public async Task<AcmeIssuedCertificate> IssueAsync(IReadOnlyList<string> names, AcmeKeyType keyType, string challengeType, CancellationToken cancellationToken)
    {
        // Step 1.
        var (order, orderUrl) = await client.NewOrderAsync(names, cancellationToken).ConfigureAwait(false);
        AcmeLog.OrderPlaced(logger, string.Join(", ", names), orderUrl);

        // Step 2.
        foreach (var authorizationUrl in order.Authorizations)
        {
            await AuthorizeAsync(authorizationUrl, challengeType, cancellationToken).ConfigureAwait(false);
        }

        // Step 3.
        order = await PollOrderAsync(orderUrl, order, "pending", cancellationToken).ConfigureAwait(false);
        if (order.Status != "ready")
        {
            throw new AcmeException(ErrorMessages.AcmeOrderFailed(string.Join(", ", names), order.Status, order.Error), order.Error);
        }

        using var key = CreateKey(keyType);
        var csr = CreateCsr(names, key);
        order = await client.FinalizeAsync(order, csr, cancellationToken).ConfigureAwait(false);

        // Step 4.
        order = await PollOrderAsync(orderUrl, order, "processing", cancellationToken).ConfigureAwait(false);
        if (order.Status != "valid" || order.Certificate is null)
        {
            throw new AcmeException(ErrorMessages.AcmeOrderFailed(string.Join(", ", names), order.Status, order.Error), order.Error);
        }

        var chain = await client.DownloadCertificateAsync(order.Certificate, cancellationToken).ConfigureAwait(false);
        var keyPem = key switch
        {
            ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
            RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
            _ => throw new InvalidOperationException("Unexpected key type."),
        };
        using var leaf = X509Certificate2.CreateFromPem(chain);
        return new AcmeIssuedCertificate(chain, keyPem, leaf.SerialNumber, leaf.Issuer, leaf.NotBefore.ToUniversalTime(), leaf.NotAfter.ToUniversalTime());
    }

    private async Task AuthorizeAsync(string url, string challengeType, CancellationToken cancellationToken)
    {
        var (authorization, _) = await client.GetAsync(url, "authorization", AcmeJsonContext.Default.AcmeAuthorization, cancellationToken).ConfigureAwait(false);
        if (authorization.Status == "valid")
        {
            // The CA still holds a valid authorization for this name (reused, RFC 8555 §7.1.4): nothing to prove.
            return;
        }

        var name = authorization.Identifier.Value;
        var usable = challengeType == AcmeSettings.Http01Type && http01 is null ? null : challengeType;
        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == usable && c.Token is not null);
        if (challenge is null)
        {
            throw new AcmeException(ErrorMessages.AcmeNoUsableChallenge(name, authorization.Challenges.Select(c => c.Type), usable is null ? [] : [usable], client.SettingNames)) { IsValidationFailure = true, ChallengeType = challengeType };
        }

        var keyAuthorization = accountKey.KeyAuthorization(challenge.Token!);
        Publish(challenge, name, keyAuthorization);
        try
        {
            if (challenge.Type == AcmeSettings.TlsAlpn01Type)
            {
                // In a cluster the challenge reaches the workers over IPC and the CA must not connect before each
                // holds it: every live worker acknowledges it (the primary gives up on one after a bounded wait).
                await TlsAlpnChallenges.WhenHeldAsync(name).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await client.RespondAsync(challenge, cancellationToken).ConfigureAwait(false);
            var deadline = DateTimeOffset.UtcNow + PollTimeout;
            while (authorization.Status is "pending" or "processing")
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new AcmeException(ErrorMessages.AcmePollTimedOut("authorization of '" + name + "'", url, PollTimeout));
                }

                (authorization, var retryAfter) = await client.GetAsync(url, "authorization", AcmeJsonContext.Default.AcmeAuthorization, cancellationToken).ConfigureAwait(false);
                if (authorization.Status is "pending" or "processing")
                {
                    await Task.Delay(PollDelay(retryAfter), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Unpublish(challenge, name);
        }

        if (authorization.Status != "valid")
        {
            var failed = authorization.Challenges.FirstOrDefault(c => c.Type == challenge.Type && c.Error is not null) ?? challenge;
            throw new AcmeException(ErrorMessages.AcmeChallengeFailed(name, failed.Type, authorization.Status, failed.Error), failed.Error) { IsValidationFailure = true, ChallengeType = challenge.Type };
        }

        AcmeLog.NameValidated(logger, name, challenge.Type);
    }

    private void Publish(AcmeChallenge challenge, string name, string keyAuthorization)
    {
        if (challenge.Type == AcmeSettings.Http01Type)
        {
            http01!.Add(challenge.Token!, keyAuthorization);
        }
        else
        {
            TlsAlpnChallenges.Set(name, TlsAlpnChallenges.Digest(keyAuthorization));
        }
    }

    private void Unpublish(AcmeChallenge challenge, string name)
    {
        if (challenge.Type == AcmeSettings.Http01Type)
        {
            http01!.Remove(challenge.Token!);
        }
        else
        {
            TlsAlpnChallenges.Remove(name);
        }
    }

    private async Task<AcmeOrder> PollOrderAsync(string url, AcmeOrder order, string waitingStatus, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + PollTimeout;
        TimeSpan? retryAfter = null;
        var first = true;
        while (order.Status == waitingStatus || order.Status == "processing")
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new AcmeException(ErrorMessages.AcmePollTimedOut("order", url, PollTimeout));
            }

            // The order in hand may be stale (authorizations were validated since): read it at once, then wait between reads.
            if (!first)
            {
                await Task.Delay(PollDelay(retryAfter), cancellationToken).ConfigureAwait(false);
            }

            first = false;
            (order, retryAfter) = await client.GetAsync(url, "order", AcmeJsonContext.Default.AcmeOrder, cancellationToken).ConfigureAwait(false);
        }

        return order;
    }

    /// <summary>The CA's Retry-After, within 1 to 10 seconds (a poll loop must neither spin nor stall).</summary>
    private static TimeSpan PollDelay(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds, 1, 10)) : DefaultPollInterval;

    private static AsymmetricAlgorithm CreateKey(AcmeKeyType keyType) => keyType switch
    {
        AcmeKeyType.Rsa2048 => RSA.Create(2048),
        _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    /// <summary>A PKCS#10 request: subject CN = the first name, every name in the subjectAltName (what the CA reads, RFC 8555 §7.4).</summary>
    internal static byte[] CreateCsr(IReadOnlyList<string> names, AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName("CN=" + names[0]);
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("Unexpected key type.", nameof(key)),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }
}
