using Roost.Testing;

namespace Roost.Server.Tests;

/// <summary>Chains shared by the TLS material tests of one class: an EC leaf, an RSA leaf, and an unrelated EC leaf.</summary>
public sealed class TlsMaterialFixture : IDisposable
{
    public TestChain Ec { get; } = TestCertificates.CreateChain();

    public TestChain Rsa { get; } = TestCertificates.CreateRsaChain();

    /// <summary>A second chain whose key belongs to no certificate of the others.</summary>
    public TestChain Other { get; } = TestCertificates.CreateChain();

    public void Dispose()
    {
        Ec.Dispose();
        Rsa.Dispose();
        Other.Dispose();
    }
}
