using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Roost.Acme;

namespace Roost.Server.Tests.Acme;

/// <summary>
/// ACME Renewal Information (RFC 9773) without a server (pebble 2.4 has none): the certificate identifier, the answer's
/// JSON and the choice of a renewal time in the CA's window.
/// </summary>
public sealed class AcmeRenewalInfoTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 10, 12, 0, 0, TimeSpan.Zero);

    // Verifies: the identifier of RFC 9773 §4.1's example (AKI keyIdentifier 69:88:5B:…:C8:D4, serial 00:87:65:43:21,
    // the leading zero kept) is aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE.
    [Fact]
    public void CertificateId_MatchesTheRfcExample()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ari.roost.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")));
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = request.Create(new X500DistinguishedName("CN=issuer"), X509SignatureGenerator.CreateForECDsa(issuer), Now.AddDays(-1), Now.AddDays(89), Convert.FromHexString("0087654321"));

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AcmeRenewalInfoPolicy.CertificateId(certificate));
    }

    // Verifies: a certificate without an Authority Key Identifier has no ARI identifier (renewal stays at two thirds).
    [Fact]
    public void CertificateId_WithoutAki_IsNull()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=self.roost.test", key, HashAlgorithmName.SHA256).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        Assert.Null(AcmeRenewalInfoPolicy.CertificateId(certificate));
    }

    // Verifies: the answer of RFC 9773 §4.2's example parses with the window and the explanation URL.
    [Fact]
    public void Answer_Parses()
    {
        var info = JsonSerializer.Deserialize(
            """{"suggestedWindow": {"start": "2025-01-02T04:00:00Z", "end": "2025-01-03T04:00:00Z"}, "explanationURL": "https://acme.example.com/docs/ari"}""",
            AcmeJsonContext.Default.AcmeRenewalInfo)!;
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 4, 0, 0, TimeSpan.Zero), info.SuggestedWindow.Start);
        Assert.Equal(new DateTimeOffset(2025, 1, 3, 4, 0, 0, TimeSpan.Zero), info.SuggestedWindow.End);
        Assert.Equal("https://acme.example.com/docs/ari", info.ExplanationUrl);
    }

    // Verifies: a future window gives a time inside it placed by the random draw (its start, middle, end); a window
    // under way gives the drawn time or now when that has passed; a past window gives now; an inverted one nothing.
    [Fact]
    public void ChooseRenewalTime_UniformInTheWindow_NowWhenPassed()
    {
        var future = new AcmeRenewalWindow(Now.AddDays(30), Now.AddDays(32));
        Assert.Equal(future.Start, AcmeRenewalInfoPolicy.ChooseRenewalTime(future, Now, 0));
        Assert.Equal(Now.AddDays(31), AcmeRenewalInfoPolicy.ChooseRenewalTime(future, Now, 0.5));
        Assert.Equal(future.End, AcmeRenewalInfoPolicy.ChooseRenewalTime(future, Now, 1));
        for (var i = 0; i < 100; i++)
        {
            var chosen = AcmeRenewalInfoPolicy.ChooseRenewalTime(future, Now, Random.Shared.NextDouble())!.Value;
            Assert.InRange(chosen, future.Start, future.End);
        }

        var underWay = new AcmeRenewalWindow(Now.AddHours(-10), Now.AddHours(10));
        Assert.Equal(Now.AddHours(5), AcmeRenewalInfoPolicy.ChooseRenewalTime(underWay, Now, 0.75));
        Assert.Equal(Now, AcmeRenewalInfoPolicy.ChooseRenewalTime(underWay, Now, 0.25));

        Assert.Equal(Now, AcmeRenewalInfoPolicy.ChooseRenewalTime(new AcmeRenewalWindow(Now.AddDays(-3), Now.AddDays(-2)), Now, 0.9));
        Assert.Null(AcmeRenewalInfoPolicy.ChooseRenewalTime(new AcmeRenewalWindow(Now.AddDays(2), Now.AddDays(1)), Now, 0.5));
    }

    // Verifies: the next check follows Retry-After within one minute and one day, six hours without it.
    [Fact]
    public void NextCheck_FollowsRetryAfterWithinBounds()
    {
        Assert.Equal(TimeSpan.FromHours(6), AcmeRenewalInfoPolicy.NextCheck(null));
        Assert.Equal(TimeSpan.FromHours(3), AcmeRenewalInfoPolicy.NextCheck(TimeSpan.FromHours(3)));
        Assert.Equal(TimeSpan.FromMinutes(1), AcmeRenewalInfoPolicy.NextCheck(TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromDays(1), AcmeRenewalInfoPolicy.NextCheck(TimeSpan.FromDays(7)));
    }
}
