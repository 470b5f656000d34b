using BenchmarkDotNet.Attributes;
using Roost.Tls;

namespace Roost.MicroBenchmarks;

/// <summary>
/// Loading TLS material as <c>Https.CreateServer</c> and a reload do (<see cref="CertificateLoader.Load"/>: PEM leaf,
/// key and a CA list with root + intermediate, chain put in order), and the full check <c>roost cert check</c>
/// runs (<see cref="CertificateCheck.Run"/>). The chain is EC P-256, like the load benchmark's, made in memory.
/// </summary>
[MemoryDiagnoser]
public class CertificateBenchmarks
{
    private string _leafPem = null!;
    private string _keyPem = null!;
    private string _intermediatePem = null!;
    private string _rootPem = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (root, intermediate, leaf) = CertificateChainFactory.CreateChain(name: "Roost Bench");
        using (root)
        using (intermediate)
        using (leaf)
        {
            _leafPem = CertificateChainFactory.ToPem(leaf);
            _keyPem = CertificateChainFactory.KeyToPem(leaf);
            _intermediatePem = CertificateChainFactory.ToPem(intermediate);
            _rootPem = CertificateChainFactory.ToPem(root);
        }
    }

    [Benchmark(Description = "load PEM leaf + key + CA list (root, intermediate)")]
    public int LoadPemChain()
    {
        using var bundle = CertificateLoader.Load(Source());
        return bundle.Leaf.RawDataMemory.Length;
    }

    [Benchmark(Description = "CertificateCheck.Run, host check, no system trust store")]
    public int CheckPemChain()
    {
        var result = CertificateCheck.Run(Source(), new CertificateCheckOptions { Host = "localhost", UseSystemTrustStore = false });
        result.Bundle?.Dispose();
        return result.Findings.Count;
    }

    private CertificateSource Source()
    {
        var source = new CertificateSource { Cert = TlsInput.FromText(_leafPem), Key = TlsInput.FromText(_keyPem) };
        source.Ca.Add(TlsInput.FromText(_rootPem));
        source.Ca.Add(TlsInput.FromText(_intermediatePem));
        return source;
    }
}
