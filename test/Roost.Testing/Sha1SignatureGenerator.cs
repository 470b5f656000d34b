using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>
/// Signs certificates with SHA-1 (ecdsa-with-SHA1 or sha1WithRSAEncryption), which .NET's own generators refuse: the
/// checker's SHA-1 finding needs such a certificate.
/// </summary>
public sealed class Sha1SignatureGenerator : X509SignatureGenerator
{
    private readonly X509Certificate2 _issuer;

    public Sha1SignatureGenerator(X509Certificate2 issuer) => _issuer = issuer;

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (_issuer.GetECDsaPublicKey() is { } ec)
            {
                ec.Dispose();
                writer.WriteObjectIdentifier("1.2.840.10045.4.1");
            }
            else
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.5");
                writer.WriteNull();
            }
        }

        return writer.Encode();
    }

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        if (_issuer.GetECDsaPrivateKey() is { } ec)
        {
            using (ec)
            {
                return ec.SignData(data, HashAlgorithmName.SHA1, DSASignatureFormat.Rfc3279DerSequence);
            }
        }

        using var rsa = _issuer.GetRSAPrivateKey()!;
        return rsa.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
    }

    protected override PublicKey BuildPublicKey() => _issuer.PublicKey;
}
