using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Roost.Acme;

/// <summary>
/// The account's key pair (EC P-256) and what is derived from it: JWS signatures with ES256 (RFC 7518 §3.4), the
/// public JWK (RFC 7517) and its thumbprint (RFC 7638), which makes every challenge's key authorization.
/// </summary>
internal sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AcmeAccountKey(ECDsa key)
    {
        _key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        X = Base64Url.EncodeToString(parameters.Q.X);
        Y = Base64Url.EncodeToString(parameters.Q.Y);

        // RFC 7638 §3.2: the required members only, in lexicographic order, no white space.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{X}\",\"y\":\"{Y}\"}}";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The public key's x coordinate, base64url.</summary>
    public string X { get; }

    /// <summary>The public key's y coordinate, base64url.</summary>
    public string Y { get; }

    /// <summary>The JWK thumbprint (RFC 7638), base64url.</summary>
    public string Thumbprint { get; }

    /// <summary>A new P-256 key.</summary>
    public static AcmeAccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The key from its PKCS#8 PEM (as <see cref="ExportPem"/> wrote it).</summary>
    /// <exception cref="CryptographicException">The text is not a P-256 private key.</exception>
    public static AcmeAccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException($"The account key is EC with {key.KeySize} bits; P-256 is expected.");
            }

            return new AcmeAccountKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The private key as PKCS#8 PEM.</summary>
    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The key authorization of a challenge token (RFC 8555 §8.1): <c>token.thumbprint</c>.</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    /// <summary>Writes the public JWK as a JSON object member named <paramref name="name"/>.</summary>
    public void WriteJwk(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        writer.WriteString("crv", "P-256");
        writer.WriteString("kty", "EC");
        writer.WriteString("x", X);
        writer.WriteString("y", Y);
        writer.WriteEndObject();
    }

    /// <summary>
    /// A flattened JWS (RFC 7515 §7.2.2, RFC 8555 §6.2) over <paramref name="payload"/> (empty for POST-as-GET): the
    /// protected header carries alg ES256, the nonce, the URL and either the account URL (kid) or, before the account
    /// exists, the JWK.
    /// </summary>
    public byte[] Sign(string url, string nonce, string? accountUrl, ReadOnlySpan<byte> payload)
    {
        using var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            if (accountUrl is null)
            {
                WriteJwk(writer, "jwk");
            }
            else
            {
                writer.WriteString("kid", accountUrl);
            }

            writer.WriteString("nonce", nonce);
            writer.WriteString("url", url);
            writer.WriteEndObject();
        }

        var protectedPart = Base64Url.EncodeToString(header.ToArray());
        var payloadPart = Base64Url.EncodeToString(payload);

        // ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4): .NET's default IEEE P1363 format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", protectedPart);
            writer.WriteString("payload", payloadPart);
            writer.WriteString("signature", Base64Url.EncodeToString(signature));
            writer.WriteEndObject();
        }

        return body.ToArray();
    }

    public void Dispose() => _key.Dispose();
}
