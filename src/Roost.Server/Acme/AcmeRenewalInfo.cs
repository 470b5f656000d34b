using System.Buffers.Text;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;

namespace Roost.Acme;

/// <summary>The CA's renewal information for one certificate (ACME ARI, RFC 9773 §4.2).</summary>
/// <param name="SuggestedWindow">When the CA wants the certificate renewed.</param>
/// <param name="ExplanationUrl">A page explaining why (an early window after an incident), or <see langword="null"/>.</param>
internal sealed record AcmeRenewalInfo(AcmeRenewalWindow SuggestedWindow, [property: JsonPropertyName("explanationURL")] string? ExplanationUrl = null);

/// <summary>A suggested renewal window (RFC 9773 §4.2).</summary>
/// <param name="Start">Its start.</param>
/// <param name="End">Its end.</param>
internal sealed record AcmeRenewalWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>ACME Renewal Information (RFC 9773): the certificate identifier and the choice of a renewal time in the CA's window.</summary>
internal static class AcmeRenewalInfoPolicy
{
    /// <summary>How long until the next check when the CA gives no Retry-After.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromHours(6);

    /// <summary>Checks are never closer than this (a CA asking for less is read as this), nor further apart than <see cref="MaxCheckInterval"/>.</summary>
    public static readonly TimeSpan MinCheckInterval = TimeSpan.FromMinutes(1);

    /// <summary>At least one check a day, whatever Retry-After says (RFC 9773 §4.3: clients may cap it).</summary>
    public static readonly TimeSpan MaxCheckInterval = TimeSpan.FromDays(1);

    /// <summary>
    /// The certificate's ARI identifier (RFC 9773 §4.1): base64url of the Authority Key Identifier's keyIdentifier, a
    /// period, and base64url of the serial number's DER content bytes (with a leading zero when it has one).
    /// </summary>
    /// <returns>The identifier, or <see langword="null"/> when the certificate has no AKI key identifier.</returns>
    public static string? CertificateId(X509Certificate2 certificate)
    {
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (aki?.KeyIdentifier is not { Length: > 0 } keyIdentifier)
        {
            return null;
        }

        return Base64Url.EncodeToString(keyIdentifier.Span) + "." + Base64Url.EncodeToString(certificate.SerialNumberBytes.Span);
    }

    /// <summary>
    /// The renewal time in <paramref name="window"/> (RFC 9773 §4.2): a uniformly random time in it
    /// (<paramref name="random"/> in [0, 1) places it), or <paramref name="now"/> when that time has passed — in
    /// particular when the whole window is in the past. <see langword="null"/> for a window that ends before it starts
    /// (§4.2: ignore it).
    /// </summary>
    public static DateTimeOffset? ChooseRenewalTime(AcmeRenewalWindow window, DateTimeOffset now, double random)
    {
        if (window.End < window.Start)
        {
            return null;
        }

        var chosen = window.Start + ((window.End - window.Start) * Math.Clamp(random, 0, 1));
        return chosen < now ? now : chosen;
    }

    /// <summary>When to ask again: the CA's Retry-After within [<see cref="MinCheckInterval"/>, <see cref="MaxCheckInterval"/>], else <see cref="DefaultCheckInterval"/>.</summary>
    public static TimeSpan NextCheck(TimeSpan? retryAfter) =>
        retryAfter is { } wait
            ? (wait < MinCheckInterval ? MinCheckInterval : wait > MaxCheckInterval ? MaxCheckInterval : wait)
            : DefaultCheckInterval;
}
