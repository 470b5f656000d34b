using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Tls;

/// <summary>
/// Inspects TLS material and reports every problem at once as <see cref="CertificateFinding"/>s (errors, warnings and
/// what is fine), each naming the file as given, the value seen and what to do. Separate from
/// <see cref="CertificateLoader"/>, which turns files into a <see cref="CertificateBundle"/> and throws on the first
/// problem it cannot continue from.
/// </summary>
/// <remarks>
/// <c>roost cert check</c> prints the findings; servers run the same check before binding (errors refuse to start,
/// warnings are logged) and before swapping a reloaded certificate (errors keep the old one).
/// </remarks>
public static class CertificateCheck
{
    /// <summary>Smallest RSA key accepted: 2048 bits (CA/Browser Forum Baseline Requirements §6.1.5).</summary>
    public const int MinimumRsaKeySize = 2048;

    /// <summary>Smallest EC key accepted: 256 bits, P-256 (CA/Browser Forum Baseline Requirements §6.1.5 allows P-256, P-384, P-521).</summary>
    public const int MinimumEcKeySize = 256;

    /// <summary>sha1WithRSAEncryption (RFC 3279 §2.2.1).</summary>
    internal const string Sha1WithRsaOid = "1.2.840.113549.1.1.5";

    /// <summary>ecdsa-with-SHA1 (RFC 3279 §2.2.3).</summary>
    internal const string EcdsaWithSha1Oid = "1.2.840.10045.4.1";

    /// <summary>id-dsa-with-sha1 (RFC 3279 §2.2.2).</summary>
    internal const string DsaWithSha1Oid = "1.2.840.10040.4.3";

    /// <summary>md5WithRSAEncryption (RFC 3279 §2.2.1).</summary>
    internal const string Md5WithRsaOid = "1.2.840.113549.1.1.4";

    /// <summary>md2WithRSAEncryption (RFC 3279 §2.2.1).</summary>
    internal const string Md2WithRsaOid = "1.2.840.113549.1.1.2";

    /// <summary>anyExtendedKeyUsage (RFC 5280 §4.2.1.12): allows every usage, serverAuth included.</summary>
    internal const string AnyExtendedKeyUsageOid = "2.5.29.37.0";

    private static readonly Lazy<X509Certificate2Collection> SystemRoots = new(LoadSystemRoots);

    /// <summary>Loads <paramref name="source"/> and checks everything: the files, the key, the certificate and the chain.</summary>
    /// <param name="source">The TLS material.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <returns>The findings, and the bundle when it loaded (the caller disposes it).</returns>
    public static CertificateCheckResult Run(CertificateSource source, CertificateCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new CertificateCheckOptions();
        var names = source.Names;
        List<CertificateFinding> findings = [];

        // 1. Every file on its own, so that several missing or empty files are all reported at once.
        List<(TlsInput Input, string Option)> inputs = [];
        if (source.Pfx is not null)
        {
            inputs.Add((source.Pfx, names.Pfx));
        }

        if (source.Cert is not null)
        {
            inputs.Add((source.Cert, names.Cert));
        }

        if (source.Key is not null)
        {
            inputs.Add((source.Key, names.Key));
        }

        inputs.AddRange(source.Ca.Select(ca => (ca, names.Ca)));
        var origins = new Dictionary<string, CertificateOrigin>(StringComparer.OrdinalIgnoreCase);
        List<X509Certificate2> parsed = [];
        var readFailed = false;
        foreach (var (input, option) in inputs)
        {
            byte[] bytes;
            try
            {
                bytes = input.Read(option);
            }
            catch (CertificateLoadException ex)
            {
                // Reported; the other files are still checked, but loading needs all of them.
                findings.Add(Error(CertificateFindingCodes.LoadFailed, ex.Message) with { Cause = ex });
                readFailed = true;
                continue;
            }

            if (ReferenceEquals(input, source.Key) || ReferenceEquals(input, source.Pfx))
            {
                continue;
            }

            DescribeFormat(input, source.Cert, option, bytes, origins, parsed, findings);
        }

        // 2. Load as the server would; a failure here is one error, but the certificates are still inspected below.
        CertificateBundle? bundle = null;
        CertificateBundle? inspected = null;
        if (!readFailed)
        {
            try
            {
                bundle = CertificateLoader.Load(source);
                inspected = bundle;
            }
            catch (CertificateLoadException ex)
            {
                // The key (or PFX) is unusable: the certificates can still be checked without it.
                findings.Add(Error(CertificateFindingCodes.LoadFailed, ex.Message) with { Cause = ex });
            }
        }

        if (bundle is not null && source.Key is not null && source.Cert is not null)
        {
            findings.Add(Ok(CertificateFindingCodes.KeyMatches, ErrorMessages.CheckKeyMatches(
                $"{source.Key} (option {names.Key})", $"{source.Cert} (option {names.Cert})", bundle.Leaf)));
        }

        if (inspected is null && source.Cert is not null && parsed.Count > 0 && origins.TryGetValue(parsed[0].Thumbprint, out var first) && ReferenceEquals(first.Input, source.Cert))
        {
            // Keyless bundle of what parsed, for the certificate checks only; it is never served.
            inspected = CertificateLoader.BuildChain(parsed[0], [.. parsed.Skip(1)], source.Cert.ToString());
        }

        if (bundle is not null)
        {
            AddPfxOrigins(source, bundle, origins);
        }

        if (inspected is not null)
        {
            findings.AddRange(Inspect(inspected, options, origins, names));
        }

        // The bundle holds its own copies; these were only read to describe the files.
        foreach (var certificate in parsed)
        {
            certificate.Dispose();
        }

        return new CertificateCheckResult(findings, bundle);
    }

    /// <summary>Checks a loaded bundle: validity, key, signature, usage, names and chain.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <returns>The findings. File names come from <see cref="CertificateBundle.Description"/>.</returns>
    public static IReadOnlyList<CertificateFinding> Inspect(CertificateBundle bundle, CertificateCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Inspect(bundle, options ?? new CertificateCheckOptions(), new Dictionary<string, CertificateOrigin>(StringComparer.OrdinalIgnoreCase), TlsOptionNames.Facade);
    }

    private static List<CertificateFinding> Inspect(CertificateBundle bundle, CertificateCheckOptions options, Dictionary<string, CertificateOrigin> origins, TlsOptionNames names)
    {
        List<CertificateFinding> findings = [];
        var now = options.TimeProvider.GetUtcNow();
        var leaf = bundle.Leaf;
        string FileOf(X509Certificate2 certificate) =>
            origins.TryGetValue(certificate.Thumbprint, out var origin) ? origin.ToString() : ReferenceEquals(certificate, leaf) ? bundle.Description : $"'{certificate.Subject}'";

        var leafFile = FileOf(leaf);

        // Validity: the leaf, and the intermediates (an expired intermediate fails the handshake just the same).
        foreach (var certificate in bundle.Intermediates.Prepend(leaf))
        {
            var file = FileOf(certificate);
            if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
            {
                findings.Add(Error(CertificateFindingCodes.Expired, ErrorMessages.CheckExpired(file, certificate, now)));
            }
            else if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                findings.Add(Error(CertificateFindingCodes.NotYetValid, ErrorMessages.CheckNotYetValid(file, certificate, now)));
            }
            else if (certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < options.ExpiryWarning && options.RenewedAutomatically)
            {
                if (ReferenceEquals(certificate, leaf))
                {
                    findings.Add(Ok(CertificateFindingCodes.Validity, ErrorMessages.CheckExpiresSoonRenewedAutomatically(file, certificate, now)));
                }
            }
            else if (certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < options.ExpiryWarning)
            {
                findings.Add(Warning(CertificateFindingCodes.ExpiresSoon, ErrorMessages.CheckExpiresSoon(file, certificate, now, options.ExpiryWarning)));
            }
            else if (ReferenceEquals(certificate, leaf))
            {
                findings.Add(Ok(CertificateFindingCodes.Validity, ErrorMessages.CheckValid(file, certificate, now)));
            }
        }

        // Key strength and signature algorithm.
        foreach (var certificate in bundle.Intermediates.Prepend(leaf))
        {
            var file = FileOf(certificate);
            var (key, weakMinimum) = DescribeKey(certificate);
            if (weakMinimum is not null)
            {
                findings.Add(Error(CertificateFindingCodes.WeakKey, ErrorMessages.CheckWeakKey(file, certificate, key, weakMinimum)));
            }
            else if (ReferenceEquals(certificate, leaf))
            {
                findings.Add(Ok(CertificateFindingCodes.KeyStrength, ErrorMessages.CheckKeyStrength(file, key)));
            }

            var algorithm = certificate.SignatureAlgorithm;
            var algorithmName = algorithm.FriendlyName ?? algorithm.Value ?? "an unknown algorithm";
            switch (algorithm.Value)
            {
                case Sha1WithRsaOid or EcdsaWithSha1Oid or DsaWithSha1Oid:
                    findings.Add(Warning(CertificateFindingCodes.Sha1Signature, ErrorMessages.CheckSha1Signature(file, certificate, algorithmName)));
                    break;
                case Md5WithRsaOid or Md2WithRsaOid:
                    findings.Add(Error(CertificateFindingCodes.BrokenSignature, ErrorMessages.CheckBrokenSignature(file, certificate, algorithmName)));
                    break;
                default:
                    if (ReferenceEquals(certificate, leaf))
                    {
                        findings.Add(Ok(CertificateFindingCodes.Signature, ErrorMessages.CheckSignature(file, algorithmName)));
                    }

                    break;
            }
        }

        // Usage: a server certificate, not a CA.
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            findings.Add(Error(CertificateFindingCodes.LeafIsCa, ErrorMessages.CheckLeafIsCa(leafFile, leaf, names.Cert, names.Ca)));
        }

        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
        {
            var usages = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
            if (usages.Contains(CertificateChainFactory.ServerAuthOid) || usages.Contains(AnyExtendedKeyUsageOid))
            {
                findings.Add(Ok(CertificateFindingCodes.ServerAuth, ErrorMessages.CheckServerAuth(leafFile)));
            }
            else
            {
                var described = string.Join(", ", eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.FriendlyName is { Length: > 0 } n ? $"{n} ({o.Value})" : o.Value));
                findings.Add(Error(CertificateFindingCodes.NoServerAuth, ErrorMessages.CheckNoServerAuth(leafFile, leaf, described)));
            }
        }
        else
        {
            findings.Add(Warning(CertificateFindingCodes.NoEku, ErrorMessages.CheckNoEku(leafFile, leaf)));
        }

        // Names: browsers use the subject alternative names only.
        var sanNames = HostNames.Of(leaf);
        if (options.Host is { Length: > 0 } host)
        {
            if (HostNames.FindMatch(sanNames, host) is { } entry)
            {
                findings.Add(Ok(CertificateFindingCodes.HostNames, ErrorMessages.CheckHostCovered(host, leafFile, entry)));
            }
            else
            {
                findings.Add(Error(CertificateFindingCodes.HostMismatch, ErrorMessages.CheckHostMismatch(host, leafFile, leaf, sanNames)));
            }
        }
        else if (sanNames.Count > 0)
        {
            findings.Add(Ok(CertificateFindingCodes.HostNames, ErrorMessages.CheckNames(leafFile, sanNames)));
        }

        if (sanNames.Count == 0)
        {
            findings.Add(Warning(CertificateFindingCodes.NoSubjectAltName, ErrorMessages.CheckNoSubjectAltName(leafFile, leaf)));
        }

        int IndexOf(X509Certificate2 certificate) => origins.TryGetValue(certificate.Thumbprint, out var origin) ? origin.Index : int.MaxValue;
        InspectChain(bundle, options, names, findings, FileOf, IndexOf);
        return findings;
    }

    private static void InspectChain(CertificateBundle bundle, CertificateCheckOptions options, TlsOptionNames names, List<CertificateFinding> findings, Func<X509Certificate2, string> fileOf, Func<X509Certificate2, int> indexOf)
    {
        var leaf = bundle.Leaf;
        var leafFile = fileOf(leaf);
        X509Certificate2? mentionedRoot = null;
        if (CertificateLoader.IsSelfIssued(leaf))
        {
            findings.Add(Warning(CertificateFindingCodes.SelfSigned, ErrorMessages.CheckSelfSigned(leafFile, leaf)));
        }
        else
        {
            var top = bundle.Intermediates.Count > 0 ? bundle.Intermediates[^1] : leaf;
            var trustedRoot = bundle.Root is { } givenRoot && CertificateLoader.Issued(givenRoot, top)
                ? givenRoot
                : options.UseSystemTrustStore ? SystemRoots.Value.Cast<X509Certificate2>().FirstOrDefault(r => CertificateLoader.Issued(r, top)) : null;
            var sent = string.Join(" → ", bundle.Intermediates.Prepend(leaf).Select(c => $"'{c.Subject}' from {fileOf(c)}"));
            if (trustedRoot is not null)
            {
                var end = ReferenceEquals(trustedRoot, bundle.Root)
                    ? ErrorMessages.CheckChainEndRoot(trustedRoot.Subject, fileOf(trustedRoot))
                    : ErrorMessages.CheckChainEndTrusted(trustedRoot.Subject);
                var status = Verify(bundle, trustedRoot);
                if (status is null)
                {
                    findings.Add(Ok(CertificateFindingCodes.Chain, ErrorMessages.CheckChain(sent, end)));
                }
                else
                {
                    findings.Add(Error(CertificateFindingCodes.ChainInvalid, ErrorMessages.CheckChainInvalid(leafFile, leaf, status)));
                }
            }
            else if (ReferenceEquals(top, leaf))
            {
                mentionedRoot = bundle.Unused.FirstOrDefault(CertificateLoader.IsSelfIssued);
                findings.Add(Error(CertificateFindingCodes.IntermediateMissing, ErrorMessages.CheckIntermediateMissing(leafFile, leaf, names.Ca, mentionedRoot?.Subject)));
            }
            else
            {
                findings.Add(Ok(CertificateFindingCodes.Chain, ErrorMessages.CheckChain(sent, ErrorMessages.CheckChainEndUnknown(top.Issuer))));
                findings.Add(Warning(CertificateFindingCodes.ChainIncomplete, ErrorMessages.CheckChainIncomplete(fileOf(top), top, names.Ca)));
            }
        }

        if (bundle.ChainWasReordered)
        {
            var given = string.Join(", ", bundle.Intermediates.OrderBy(c => indexOf(c)).Select(c => $"'{c.Subject}'"));
            var order = string.Join(" → ", bundle.Intermediates.Select(c => $"'{c.Subject}'"));
            findings.Add(Warning(CertificateFindingCodes.ChainReordered, ErrorMessages.CheckChainReordered(given, order)));
        }

        foreach (var certificate in bundle.Unused.Where(c => !ReferenceEquals(c, mentionedRoot)))
        {
            findings.Add(Warning(CertificateFindingCodes.UnrelatedCertificate, ErrorMessages.CheckUnrelatedCertificate(fileOf(certificate), certificate, leaf)));
        }

        if (bundle.Root is { } root)
        {
            findings.Add(Ok(CertificateFindingCodes.RootIncluded, ErrorMessages.CheckRootIncluded(fileOf(root), root)));
        }
    }

    /// <summary>Verifies the signatures from the leaf up to <paramref name="root"/>; returns the problems, or <see langword="null"/>.</summary>
    private static string? Verify(CertificateBundle bundle, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(bundle.Intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;

        // Dates, usages and names have their own findings above.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage
            | X509VerificationFlags.IgnoreInvalidName | X509VerificationFlags.IgnoreInvalidBasicConstraints;
        if (chain.Build(bundle.Leaf))
        {
            return null;
        }

        var problems = chain.ChainStatus
            .Where(s => s.Status is not (X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotValidForUsage or X509ChainStatusFlags.InvalidBasicConstraints))
            .Select(s => $"{s.Status} ({s.StatusInformation.Trim()})")
            .Distinct()
            .ToList();
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static void DescribeFormat(TlsInput input, TlsInput? serverCertificate, string option, byte[] bytes, Dictionary<string, CertificateOrigin> origins, List<X509Certificate2> parsed, List<CertificateFinding> findings)
    {
        List<X509Certificate2> certificates;
        try
        {
            certificates = CertificateLoader.ParseCertificates(bytes, input, option, out _);
        }
        catch (CertificateLoadException)
        {
            // A corrupt certificate in the file: the loader below reports the same problem once.
            return;
        }

        if (certificates.Count == 0)
        {
            // Not a certificate: the loader reports it with a description of what the file holds.
            return;
        }

        var origin = new CertificateOrigin(input, option);
        foreach (var certificate in certificates)
        {
            origins.TryAdd(certificate.Thumbprint, origin with { Index = origins.Count });
        }

        parsed.AddRange(certificates);
        var encoding = CertificateLoader.LooksLikePem(bytes) ? "PEM" : "DER";
        var file = origin.ToString();
        var extension = input.Path is null ? string.Empty : Path.GetExtension(input.Path).ToLowerInvariant();
        var mismatch = (encoding, extension) is ("DER", ".pem") or ("PEM", ".der");
        findings.Add(Ok(CertificateFindingCodes.Format, mismatch
            ? ErrorMessages.CheckFormatMismatch(file, encoding, extension)
            : ErrorMessages.CheckFormat(file, encoding, certificates.Count, isServerCertificate: ReferenceEquals(input, serverCertificate))));
    }

    private static void AddPfxOrigins(CertificateSource source, CertificateBundle bundle, Dictionary<string, CertificateOrigin> origins)
    {
        if (source.Pfx is null)
        {
            return;
        }

        var origin = new CertificateOrigin(source.Pfx, source.Names.Pfx);
        foreach (var certificate in bundle.Intermediates.Prepend(bundle.Leaf).Concat(bundle.Unused).Append(bundle.Root))
        {
            if (certificate is not null)
            {
                origins.TryAdd(certificate.Thumbprint, origin);
            }
        }
    }

    private static (string Description, string? WeakMinimum) DescribeKey(X509Certificate2 certificate)
    {
        if (certificate.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                return ($"RSA {rsa.KeySize}-bit", rsa.KeySize < MinimumRsaKeySize ? $"{MinimumRsaKeySize} bits" : null);
            }
        }

        if (certificate.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                var curve = ec.ExportParameters(false).Curve;
                var name = curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "unnamed curve";
                return ($"EC {ec.KeySize}-bit ({name})", ec.KeySize < MinimumEcKeySize ? $"{MinimumEcKeySize} bits (P-256)" : null);
            }
        }

        return (certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown", null);
    }

    private static X509Certificate2Collection LoadSystemRoots()
    {
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            return store.Certificates;
        }
        catch (CryptographicException)
        {
            // No readable system store (minimal containers): chains are judged from the given files alone.
            return [];
        }
    }

    private static CertificateFinding Ok(string code, string message) => new(CertificateFindingSeverity.Ok, code, message);

    private static CertificateFinding Warning(string code, string message) => new(CertificateFindingSeverity.Warning, code, message);

    private static CertificateFinding Error(string code, string message) => new(CertificateFindingSeverity.Error, code, message);

    /// <summary>Where a certificate came from: the input as given and its option.</summary>
    private sealed record CertificateOrigin(TlsInput Input, string Option)
    {
        /// <summary>Gets the position of the certificate among all given certificates (files in order, then within each file).</summary>
        public int Index { get; init; }

        public override string ToString() => $"{Input} (option {Option})";
    }
}

/// <summary>Host-name matching as browsers do it (RFC 6125 §6.4): subject alternative names only, a wildcard stands for exactly one left-most label.</summary>
internal static class HostNames
{
    /// <summary>The DNS names and IP addresses in the certificate's subject alternative names.</summary>
    public static List<string> Of(X509Certificate2 certificate)
    {
        List<string> names = [];
        foreach (var san in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(san.EnumerateDnsNames());
            names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        return names;
    }

    /// <summary>Returns the entry of <paramref name="names"/> that covers <paramref name="host"/>, or <see langword="null"/>.</summary>
    public static string? FindMatch(IEnumerable<string> names, string host)
    {
        host = host.TrimEnd('.');
        var isAddress = IPAddress.TryParse(host, out var address);
        foreach (var name in names)
        {
            if (isAddress)
            {
                if (IPAddress.TryParse(name, out var entry) && entry.Equals(address))
                {
                    return name;
                }
            }
            else if (Matches(name, host))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="pattern"/> (a DNS name, possibly <c>*.example.com</c>) covers <paramref name="host"/>.</summary>
    public static bool Matches(string pattern, string host)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && string.Equals(host[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
    }
}
