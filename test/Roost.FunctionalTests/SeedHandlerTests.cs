using System.Net;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>The seed's handler (write + end) over every protocol the façade offers, byte-exact.</summary>
public sealed class SeedHandlerTests
{
    private const string SeedBody = "<h1>hello Node</h1><p>hello server!</p>";

    private static void SeedHandler(IncomingRequest req, OutgoingResponse res)
    {
        res.Write("<h1>hello Node</h1>");
        res.End("<p>hello server!</p>");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task Http2SecureServer_AllowHttp1_ServesSeedBodyOverBothProtocols(string version)
    {
        using var chain = TestCertificates.CreateChain();
        await using var server = Http2.CreateSecureServer(chain.ServerOptions(allowHttp1: true), SeedHandler);
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var client = TestClients.TrustingOnly(chain.Root, Version.Parse(version == "2" ? "2.0" : version));

        using var response = await client.GetAsync($"https://localhost:{server.Port}/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version == "2" ? HttpVersion.Version20 : HttpVersion.Version11, response.Version);
        Assert.Equal(SeedBody, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(SeedBody.Length, response.Content.Headers.ContentLength);
    }
}
