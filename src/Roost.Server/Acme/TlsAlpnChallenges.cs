using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Roost.Acme;

/// <summary>
/// The TLS-ALPN-01 challenges (RFC 8737) this process answers: for each name being validated, the SHA-256 digest of
/// its key authorization, and the self-signed certificate a handshake that offers <c>acme-tls/1</c> gets for it.
/// </summary>
/// <remarks>
/// Process-wide, because the handshake happens wherever the serving port is accepted: in the single process of
/// <c>--workers 0</c> the manager sets entries here directly; in a cluster the primary's entries travel to every
/// worker over IPC (the cluster runtime listens to <see cref="Changed"/> and sends <see cref="Snapshot"/> to each new
/// worker), and each worker sets them here. The digest is no secret (the token and the account key's thumbprint are
/// public); the certificate's key is made in the process that serves it and never leaves it.
/// </remarks>
internal static class TlsAlpnChallenges
{
    /// <summary>The ALPN protocol of the challenge (RFC 8737 §6.2).</summary>
    public const string Protocol = "acme-tls/1";

    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    private static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase);

    private static readonly List<SslApplicationProtocol> Protocols = [new SslApplicationProtocol(Protocol)];

    /// <summary>Raised after a name's challenge was set (digest) or removed (<see langword="null"/>), on the caller's thread.</summary>
    public static event Action<string, byte[]?>? Changed;

    /// <summary>Gets the number of names with a pending challenge.</summary>
    public static int Count => Entries.Count;

    /// <summary>The digest a key authorization proves itself with: SHA-256 of its ASCII text (RFC 8737 §3).</summary>
    public static byte[] Digest(string keyAuthorization) => SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization));

    /// <summary>Answers <c>acme-tls/1</c> handshakes for <paramref name="name"/> with a certificate proving <paramref name="digest"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not 32 bytes.</exception>
    public static void Set(string name, byte[] digest)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (digest.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A TLS-ALPN-01 digest is {SHA256.HashSizeInBytes} bytes; {digest.Length} were given.", nameof(digest));
        }

        Entries[name] = new Entry(name, digest);
        Changed?.Invoke(name, digest);
    }

    /// <summary>
    /// Called by a <see cref="Changed"/> subscriber that hands a set challenge on to other processes (the cluster
    /// primary to its workers), while <see cref="Set"/> runs: <see cref="WhenHeldAsync"/> then also waits for
    /// <paramref name="held"/>, which completes when those processes answer the challenge.
    /// </summary>
    public static void AddHolders(string name, Task held)
    {
        if (Entries.TryGetValue(name, out var entry))
        {
            lock (entry.Holders)
            {
                entry.Holders.Add(held);
            }
        }
    }

    /// <summary>
    /// Completes when every process that accepts the serving port answers the challenge for <paramref name="name"/>: at
    /// once in a single process (<see cref="Set"/> made it live here), in a cluster when each live worker acknowledged
    /// it or the primary gave up waiting for one (<see cref="AddHolders"/>).
    /// </summary>
    public static Task WhenHeldAsync(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
        {
            return Task.CompletedTask;
        }

        lock (entry.Holders)
        {
            return Task.WhenAll(entry.Holders);
        }
    }

    /// <summary>Stops answering for <paramref name="name"/>.</summary>
    public static void Remove(string name)
    {
        if (Entries.TryRemove(name, out _))
        {
            Changed?.Invoke(name, null);
        }
    }

    /// <summary>The pending challenges (name, digest), for a worker that starts while some are pending.</summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Snapshot() =>
        [.. Entries.Values.Select(e => KeyValuePair.Create(e.Name, e.Digest))];

    /// <summary>
    /// The server options of a handshake that offers <c>acme-tls/1</c> for <paramref name="serverName"/>: the challenge
    /// certificate and that protocol only (RFC 8737 §3: nothing else is served on such a connection).
    /// </summary>
    /// <exception cref="AuthenticationException">No challenge is pending for the name (the handshake is refused).</exception>
    public static SslServerAuthenticationOptions OptionsFor(string? serverName)
    {
        if (serverName is null || !Entries.TryGetValue(serverName, out var entry))
        {
            throw new AuthenticationException(ErrorMessages.AcmeTlsAlpnNoChallenge(serverName));
        }

        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = entry.Context.Value,
            ApplicationProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>
    /// The challenge certificate (RFC 8737 §3): self-signed, EC P-256, one dNSName (the name), and the critical
    /// acmeIdentifier extension whose value is the DER OCTET STRING of the digest.
    /// </summary>
    internal static X509Certificate2 CreateCertificate(string name, byte[] digest)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + name), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());

        // DER OCTET STRING: tag 0x04, length 0x20, then the 32 bytes.
        byte[] value = [0x04, (byte)digest.Length, .. digest];
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, value, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    private sealed class Entry(string name, byte[] digest)
    {
        public string Name { get; } = name;

        public byte[] Digest { get; } = digest;

        /// <summary>Tasks that complete when other processes answer this challenge too (<see cref="AddHolders"/>); locked on itself.</summary>
        public List<Task> Holders { get; } = [];

        /// <summary>Made on the first handshake that asks (a key generation), then reused by the CA's other validation attempts.</summary>
        public Lazy<SslStreamCertificateContext> Context { get; } = new(() => SslStreamCertificateContext.Create(CreateCertificate(name, digest), additionalCertificates: null, offline: true));
    }
}
