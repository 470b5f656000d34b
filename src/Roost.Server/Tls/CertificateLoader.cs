using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Roost.Tls;

/// <summary>
/// Turns the files a CA hands out (certificate, key, chain; or a PFX) into a <see cref="CertificateBundle"/>.
/// Every problem is a <see cref="CertificateLoadException"/> whose message names the file as given, what is wrong
/// and what to do.
/// </summary>
/// <remarks>
/// Accepted: certificates in PEM or DER (a PEM file may hold several); keys in PKCS#1 (RSA), SEC1 (EC), PKCS#8 and
/// encrypted PKCS#8, each in PEM or DER; PKCS#12 (PFX). The chain is put in order from the leaf up, the root is kept
/// aside (never sent) and certificates that belong to no part of the chain are reported in
/// <see cref="CertificateBundle.Unused"/>.
/// </remarks>
public static class CertificateLoader
{
    /// <summary>The RFC 1421 header OpenSSL writes in a PEM key encrypted the legacy way ('openssl rsa -aes256').</summary>
    private const string LegacyEncryptionHeader = "Proc-Type: 4,ENCRYPTED";

    /// <summary>Loads and pairs the material in <paramref name="source"/>.</summary>
    /// <param name="source">What the user gave.</param>
    /// <returns>The bundle; the caller owns it.</returns>
    /// <exception cref="CertificateLoadException">The material is missing, unreadable or inconsistent.</exception>
    public static CertificateBundle Load(CertificateSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var names = source.Names;

        if (source.Pfx is not null && (source.Cert is not null || source.Key is not null))
        {
            throw new CertificateLoadException(ErrorMessages.TlsPfxAndPem(names), source.Pfx.Path, names.Pfx);
        }

        List<X509Certificate2> extras = [];
        X509Certificate2 leaf;
        string description;
        if (source.Pfx is not null)
        {
            leaf = LoadPfx(source.Pfx, source.Passphrase, names, extras);
            description = source.Pfx.ToString();
        }
        else if (source.Cert is not null)
        {
            leaf = LoadPemPair(source, names, extras);
            description = $"{source.Cert} + {source.Key?.ToString() ?? "key in the same file"}";
        }
        else
        {
            throw new CertificateLoadException(ErrorMessages.TlsNothingGiven(names), null, names.Cert);
        }

        foreach (var ca in source.Ca)
        {
            var bytes = ca.Read(names.Ca);
            var parsed = ParseCertificates(bytes, ca, names.Ca, out _);
            if (parsed.Count == 0)
            {
                throw new CertificateLoadException(ErrorMessages.TlsNotACertificate(ca, names.Ca, DescribeContent(bytes)), ca.Path, names.Ca);
            }

            extras.AddRange(parsed);
        }

        return BuildChain(leaf, extras, description);
    }

    private static X509Certificate2 LoadPemPair(CertificateSource source, TlsOptionNames names, List<X509Certificate2> extras)
    {
        var certInput = source.Cert!;
        var certBytes = certInput.Read(names.Cert);
        var certificates = ParseCertificates(certBytes, certInput, names.Cert, out var certFileKey);
        if (certificates.Count == 0)
        {
            throw new CertificateLoadException(
                ErrorMessages.TlsNotACertificate(certInput, names.Cert, DescribeContent(certBytes)), certInput.Path, names.Cert);
        }

        var leaf = certificates[0];
        extras.AddRange(certificates.Skip(1));

        TlsInput keyInput;
        byte[] keyBytes;
        if (source.Key is not null)
        {
            keyInput = source.Key;
            keyBytes = keyInput.Read(names.Key);
        }
        else if (certFileKey)
        {
            // A combined PEM (certificate and key in one file), as some tools write it.
            keyInput = certInput;
            keyBytes = certBytes;
        }
        else
        {
            throw new CertificateLoadException(ErrorMessages.TlsKeyMissing(certInput, names), certInput.Path, names.Key);
        }

        using var key = ParsePrivateKey(keyBytes, keyInput, source.Passphrase, names);
        try
        {
            return key switch
            {
                RSA rsa when leaf.GetRSAPublicKey() is not null => leaf.CopyWithPrivateKey(rsa),
                ECDsa ecdsa when leaf.GetECDsaPublicKey() is not null => leaf.CopyWithPrivateKey(ecdsa),
                _ => throw new CertificateLoadException(
                    ErrorMessages.TlsKeyDoesNotMatch(keyInput, certInput, leaf, names), keyInput.Path, names.Key),
            };
        }
        catch (ArgumentException ex)
        {
            // CopyWithPrivateKey compares the public halves and throws ArgumentException when they differ.
            throw new CertificateLoadException(ErrorMessages.TlsKeyDoesNotMatch(keyInput, certInput, leaf, names), keyInput.Path, names.Key, ex);
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            // The certificate parsed, but its public key does not (a damaged file, or a curve this platform lacks;
            // found by fuzzing): there is nothing to pair the key with.
            throw new CertificateLoadException(ErrorMessages.TlsCorruptCertificate(certInput, names.Cert, 1, ex.Message), certInput.Path, names.Cert, ex);
        }
    }

    private static X509Certificate2 LoadPfx(TlsInput pfx, string? passphrase, TlsOptionNames names, List<X509Certificate2> extras)
    {
        var bytes = pfx.Read(names.Pfx);
        if (ContentType(bytes) != X509ContentType.Pkcs12)
        {
            throw new CertificateLoadException(ErrorMessages.TlsNotAPfx(pfx, names, DescribeContent(bytes)), pfx.Path, names.Pfx);
        }

        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12Collection(bytes, passphrase, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateLoadException(ErrorMessages.TlsPfxPassword(pfx, passphrase is not null, names), pfx.Path, names.Passphrase, ex);
        }

        X509Certificate2? leaf = null;
        foreach (var certificate in collection)
        {
            if (leaf is null && certificate.HasPrivateKey)
            {
                leaf = certificate;
            }
            else
            {
                extras.Add(certificate);
            }
        }

        return leaf ?? throw new CertificateLoadException(ErrorMessages.TlsPfxWithoutKey(pfx, names), pfx.Path, names.Pfx);
    }

    /// <summary>Parses every certificate in PEM text or one DER certificate.</summary>
    internal static List<X509Certificate2> ParseCertificates(byte[] bytes, TlsInput input, string option, out bool containsPrivateKey)
    {
        containsPrivateKey = false;
        List<X509Certificate2> result = [];
        if (LooksLikePem(bytes))
        {
            var text = Encoding.UTF8.GetString(bytes).AsSpan();
            while (PemEncoding.TryFind(text, out var fields))
            {
                var label = text[fields.Label];
                if (label.SequenceEqual("CERTIFICATE") || label.SequenceEqual("TRUSTED CERTIFICATE"))
                {
                    var der = Convert.FromBase64String(text[fields.Base64Data].ToString());
                    try
                    {
                        result.Add(X509CertificateLoader.LoadCertificate(der));
                    }
                    catch (CryptographicException ex)
                    {
                        throw new CertificateLoadException(ErrorMessages.TlsCorruptCertificate(input, option, result.Count + 1, ex.Message), input.Path, option, ex);
                    }
                }
                else if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                {
                    containsPrivateKey = true;
                }

                text = text[fields.Location.End..];
            }

            return result;
        }

        try
        {
            result.Add(X509CertificateLoader.LoadCertificate(bytes));
        }
        catch (CryptographicException)
        {
            // Not a DER certificate: the caller reports "not a certificate" with a description of what it is.
        }

        return result;
    }

    private static AsymmetricAlgorithm ParsePrivateKey(byte[] bytes, TlsInput input, string? passphrase, TlsOptionNames names)
    {
        return LooksLikePem(bytes)
            ? ParsePemKey(Encoding.UTF8.GetString(bytes), input, passphrase, names)
            : ParseDerKey(bytes, input, passphrase, names);
    }

    private static AsymmetricAlgorithm ParsePemKey(string text, TlsInput input, string? passphrase, TlsOptionNames names)
    {
        // OpenSSL's legacy encryption puts RFC 1421 headers ('Proc-Type: 4,ENCRYPTED', 'DEK-Info: …') inside the block.
        // RFC 7468 has no headers, so PemEncoding.TryFind skips such a block as invalid: look for the marker first.
        if (text.Contains(LegacyEncryptionHeader, StringComparison.Ordinal))
        {
            throw new CertificateLoadException(ErrorMessages.TlsKeyLegacyEncryption(input, names), input.Path, names.Key);
        }

        var span = text.AsSpan();
        while (PemEncoding.TryFind(span, out var fields))
        {
            var label = span[fields.Label].ToString();
            var block = span[fields.Location].ToString();
            span = span[fields.Location.End..];
            switch (label)
            {
                case "ENCRYPTED PRIVATE KEY":
                    if (passphrase is null)
                    {
                        throw new CertificateLoadException(ErrorMessages.TlsKeyEncryptedNoPassphrase(input, names), input.Path, names.Passphrase);
                    }

                    return ImportEncrypted(
                        (alg, pass) => alg.ImportFromEncryptedPem(block, pass), passphrase, input, names);
                case "RSA PRIVATE KEY":
                    return Import(RSA.Create(), alg => alg.ImportFromPem(block), input, names);
                case "EC PRIVATE KEY":
                    return Import(ECDsa.Create(), alg => alg.ImportFromPem(block), input, names);
                case "PRIVATE KEY":
                    return (AsymmetricAlgorithm?)TryImport(RSA.Create(), alg => alg.ImportFromPem(block))
                        ?? TryImport(ECDsa.Create(), alg => alg.ImportFromPem(block))
                        ?? throw new CertificateLoadException(ErrorMessages.TlsKeyUnsupported(input, names), input.Path, names.Key);
                default:
                    continue;
            }
        }

        throw new CertificateLoadException(ErrorMessages.TlsNotAKey(input, names, DescribeContent(Encoding.UTF8.GetBytes(text))), input.Path, names.Key);
    }

    private static AsymmetricAlgorithm ParseDerKey(byte[] der, TlsInput input, string? passphrase, TlsOptionNames names)
    {
        if (IsEncryptedPkcs8(der))
        {
            if (passphrase is null)
            {
                throw new CertificateLoadException(ErrorMessages.TlsKeyEncryptedNoPassphrase(input, names), input.Path, names.Passphrase);
            }

            return ImportEncrypted((alg, pass) => alg.ImportEncryptedPkcs8PrivateKey(pass, der, out _), passphrase, input, names);
        }

        return (AsymmetricAlgorithm?)TryImport(RSA.Create(), alg => alg.ImportPkcs8PrivateKey(der, out _))
            ?? TryImport(ECDsa.Create(), alg => alg.ImportPkcs8PrivateKey(der, out _))
            ?? (AsymmetricAlgorithm?)TryImport(RSA.Create(), alg => alg.ImportRSAPrivateKey(der, out _))
            ?? TryImport(ECDsa.Create(), alg => alg.ImportECPrivateKey(der, out _))
            ?? throw new CertificateLoadException(ErrorMessages.TlsNotAKey(input, names, DescribeContent(der)), input.Path, names.Key);
    }

    private static AsymmetricAlgorithm ImportEncrypted(
        Action<AsymmetricAlgorithm, string> import, string passphrase, TlsInput input, TlsOptionNames names)
    {
        // A wrong passphrase and a key of another algorithm both fail to import; when neither RSA nor EC takes the
        // decrypted key, the passphrase is by far the likelier cause (those are the only key types TLS here serves).
        foreach (var algorithm in new AsymmetricAlgorithm[] { RSA.Create(), ECDsa.Create() })
        {
            try
            {
                import(algorithm, passphrase);
                return algorithm;
            }
            catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
            {
                // Not this algorithm, not this passphrase, or an EC curve this platform lacks: the next one is tried.
                algorithm.Dispose();
            }
        }

        throw new CertificateLoadException(ErrorMessages.TlsKeyWrongPassphrase(input, names), input.Path, names.Passphrase);
    }

    private static T Import<T>(T algorithm, Action<T> import, TlsInput input, TlsOptionNames names)
        where T : AsymmetricAlgorithm
    {
        return TryImport(algorithm, import)
            ?? throw new CertificateLoadException(ErrorMessages.TlsKeyUnsupported(input, names), input.Path, names.Key);
    }

    private static T? TryImport<T>(T algorithm, Action<T> import)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(algorithm);
            return algorithm;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or PlatformNotSupportedException)
        {
            // Wrong algorithm or format for these bytes, or an EC key on a curve this platform lacks (an OID that
            // OpenSSL does not know; found by fuzzing): the caller tries the next one, then reports it unsupported.
            algorithm.Dispose();
            return null;
        }
    }

    /// <summary>EncryptedPrivateKeyInfo (RFC 5208 §6) starts with an AlgorithmIdentifier SEQUENCE; PrivateKeyInfo with an INTEGER.</summary>
    private static bool IsEncryptedPkcs8(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            return sequence.PeekTag() == Asn1Tag.Sequence;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    internal static bool LooksLikePem(ReadOnlySpan<byte> bytes) => bytes.IndexOf("-----BEGIN "u8) >= 0;

    /// <summary>
    /// <see cref="X509Certificate2.GetCertContentType(byte[])"/> throws <see cref="CryptographicException"/> on bytes
    /// it cannot classify (a text file, HTML from a failed download): those are simply of unknown type here.
    /// </summary>
    private static X509ContentType ContentType(byte[] bytes)
    {
        try
        {
            return X509Certificate2.GetCertContentType(bytes);
        }
        catch (CryptographicException)
        {
            // Not any certificate container: the caller describes the bytes by their first byte and size.
            return X509ContentType.Unknown;
        }
    }

    /// <summary>Says what a file that is not what was expected seems to be, so the message can suggest the fix.</summary>
    internal static string DescribeContent(byte[] bytes)
    {
        if (LooksLikePem(bytes))
        {
            var text = Encoding.UTF8.GetString(bytes).AsSpan();
            List<string> labels = [];
            while (PemEncoding.TryFind(text, out var fields))
            {
                labels.Add(text[fields.Label].ToString());
                text = text[fields.Location.End..];
            }

            return labels.Count == 0 ? "PEM markers without a valid block" : "PEM " + string.Join(", ", labels.Distinct().Select(l => $"'{l}'"));
        }

        return ContentType(bytes) switch
        {
            X509ContentType.Pkcs12 => "a PKCS#12 (PFX) bundle",
            X509ContentType.Pkcs7 or X509ContentType.SerializedStore => "a PKCS#7 bundle",
            _ when bytes.Length > 0 && bytes[0] == 0x30 => "DER data that is neither a certificate nor a private key",
            _ => $"{bytes.Length:N0} bytes that are neither PEM nor DER",
        };
    }

    internal static CertificateBundle BuildChain(X509Certificate2 leaf, List<X509Certificate2> extras, string description)
    {
        // Deduplicate (Node users often list the same intermediate in both the cert file and ca).
        var candidates = extras
            .Where(c => c.Thumbprint != leaf.Thumbprint)
            .DistinctBy(c => c.Thumbprint)
            .ToList();

        List<X509Certificate2> path = [];
        X509Certificate2? root = null;
        var current = leaf;
        while (!IsSelfIssued(current))
        {
            var issuer = candidates.FirstOrDefault(c => !path.Contains(c) && Issued(c, current));
            if (issuer is null)
            {
                break;
            }

            if (IsSelfIssued(issuer))
            {
                root = issuer;
                break;
            }

            path.Add(issuer);
            current = issuer;
        }

        var unused = candidates.Where(c => !path.Contains(c) && c != root).ToList();

        // Reordered when the intermediates given do not already stand in chain order.
        var given = extras.Where(c => path.Contains(c)).DistinctBy(c => c.Thumbprint).ToList();
        var reordered = !given.SequenceEqual(path);
        return new CertificateBundle(leaf, path, root, unused, reordered, description);
    }

    internal static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    /// <summary>Whether <paramref name="issuer"/> issued <paramref name="subject"/>: names match, and key identifiers when both carry them.</summary>
    internal static bool Issued(X509Certificate2 issuer, X509Certificate2 subject)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(subject.IssuerName.RawData))
        {
            return false;
        }

        var authorityKeyId = subject.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        var subjectKeyId = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        return authorityKeyId is null || subjectKeyId is null || authorityKeyId.Value.Span.SequenceEqual(subjectKeyId.Value.Span);
    }
}
