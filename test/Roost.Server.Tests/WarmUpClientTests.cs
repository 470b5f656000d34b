using Roost.Server.Internal;
using Roost.Testing;

namespace Roost.Server.Tests;

/// <summary>
/// The hot spare's warm-up client (raw socket, TLS with ALPN, HTTP/2 preface or HTTP/1.1) gets an answer from each
/// kind of façade server; the warm-up swallows its errors, so only this test notices a client that stopped working.
/// </summary>
public sealed class WarmUpClientTests
{
    [Theory]
    [InlineData("http", "1.1")]
    [InlineData("h2c", "2.0")]
    [InlineData("https", "1.1")]
    [InlineData("h2", "2.0")]
    [InlineData("h2+http1", "2.0")]
    public async Task SendAsync_EachServerKind_RequestReachesHandler(string kind, string expectedVersion)
    {
        using var chain = TestCertificates.CreateChain();
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestHandler handler = (req, res) =>
        {
            seen.TrySetResult($"{req.Method} {req.Url} {req.HttpVersion}");
            res.End();
        };
        var plain = new ServerOptions { HandleShutdownSignals = false };
        await using var server = kind switch
        {
            "http" => Http.CreateServer(plain, handler),
            "h2c" => Http2.CreateServer(plain, handler),
            "https" => Https.CreateServer(chain.ServerOptions(), handler),
            "h2" => Http2.CreateSecureServer(chain.ServerOptions(), handler),
            _ => Http2.CreateSecureServer(chain.ServerOptions(allowHttp1: true), handler),
        };
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var http2 = kind is "h2c" or "h2" or "h2+http1";
        var http2Only = kind is "h2c" or "h2";
        await WarmUpClient.SendAsync(server.Port, server.IsSecure, http2, http2Only, timeout.Token);

        Assert.Equal($"GET / {expectedVersion}", await seen.Task.WaitAsync(timeout.Token));
    }
}
