using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>
/// Signs certificates with SHA-1 (ecdsa-with-SHA1 or sha1WithRSAEncryption) or MD5 (md5WithRSAEncryption, RSA issuers
/// only), which .NET's own generators refuse: the checker's SHA-1 and broken-signature findings need such certificates.
/// </summary>
public sealed class LegacySignatureGenerator : X509SignatureGenerator
{
    private readonly X509Certificate2 _issuer;
    private readonly HashAlgorithmName _hash;

    public LegacySignatureGenerator(X509Certificate2 issuer, HashAlgorithmName hash)
    {
        if (hash != HashAlgorithmName.SHA1 && hash != HashAlgorithmName.MD5)
        {
            throw new ArgumentOutOfRangeException(nameof(hash), hash, "Only SHA1 and MD5.");
        }

        _issuer = issuer;
        _hash = hash;
    }

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (IsEc)
            {
                writer.WriteObjectIdentifier("1.2.840.10045.4.1");
            }
            else
            {
                writer.WriteObjectIdentifier(_hash == HashAlgorithmName.MD5 ? "1.2.840.113549.1.1.4" : "1.2.840.113549.1.1.5");
                writer.WriteNull();
            }
        }

        return writer.Encode();
    }

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        if (IsEc)
        {
            using var ec = _issuer.GetECDsaPrivateKey()!;
            return ec.SignData(data, _hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = _issuer.GetRSAPrivateKey()!;
        return rsa.SignData(data, _hash, RSASignaturePadding.Pkcs1);
    }

    protected override PublicKey BuildPublicKey() => _issuer.PublicKey;

    private bool IsEc
    {
        get
        {
            using var ec = _issuer.GetECDsaPublicKey();
            return ec is not null;
        }
    }
}
