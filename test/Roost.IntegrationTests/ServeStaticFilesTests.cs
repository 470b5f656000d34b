using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost serve --root</c> as a user runs it: a real process (one shared by the class, <see cref="StaticSiteServer"/>),
/// real TLS with a test chain, HttpClient over h2 and HTTP/1.1 and curl (which sends paths as given with
/// <c>--path-as-is</c>), plus bad <c>--root</c> values and a clustered run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ServeStaticFilesTests(StaticSiteServer site) : IClassFixture<StaticSiteServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;


    public static TheoryData<string> Versions => new() { "2.0", "1.1" };

    // Verifies: a file comes back byte-exact over h2 and HTTP/1.1 with its content type; text types carry charset,
    // unknown extensions are application/octet-stream; ETag, Last-Modified and Accept-Ranges are sent.
    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ServeRoot_Files_ByteExactWithContentTypes(string version)
    {
        using var client = Client(version);

        using var blob = await client.GetAsync(site.Url("/static/100k.bin"), Ct);
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(Version.Parse(version), blob.Version);
        Assert.Equal(site.Blob, await blob.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("application/octet-stream", blob.Content.Headers.ContentType?.ToString());
        Assert.NotNull(blob.Headers.ETag);
        Assert.NotNull(blob.Content.Headers.LastModified);
        Assert.Contains("bytes", blob.Headers.AcceptRanges);

        using var css = await client.GetAsync(site.Url("/style.css"), Ct);
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
        Assert.Equal("body{color:#333}\n", await css.Content.ReadAsStringAsync(Ct));

        using var unknown = await client.GetAsync(site.Url("/data.unknownext"), Ct);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal("application/octet-stream", unknown.Content.Headers.ContentType?.ToString());
    }

    // Verifies: curl (a second client implementation) gets the 100 KB file byte-exact over h2, trusting only the root.
    [Fact]
    public async Task ServeRoot_Curl_GetsTheFileByteExact()
    {
        var result = await Curl.GetAsync(site.Url("/static/100k.bin"), site.Chain.RootPath, http2: true);

        Assert.Equal("2", result.HttpVersion);
        Assert.Equal(site.Blob, result.Body);
    }

    // Verifies: If-None-Match with the ETag → 304 without a body; a Range → 206 with exactly those bytes; HEAD → the
    // headers of GET (length) and no body.
    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ServeRoot_ConditionalRangeAndHead_FollowHttpSemantics(string version)
    {
        using var client = Client(version);
        using var first = await client.GetAsync(site.Url("/static/100k.bin"), Ct);
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, site.Url("/static/100k.bin"));
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, site.Url("/static/100k.bin"));
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await client.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 1000-1999/{site.Blob.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(site.Blob.AsSpan(1000, 1000).ToArray(), await partial.Content.ReadAsByteArrayAsync(Ct));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, site.Url("/static/100k.bin")), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(site.Blob.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    // Verifies: / and /docs/ serve their index.html; /docs redirects to /docs/; a folder without index.html and a
    // missing file are 404 (no listing); POST is 405; links inside the root work (a linked file gets the target's
    // full length), .well-known is served.
    [Fact]
    public async Task ServeRoot_IndexesMissingFilesAndLinksInside()
    {
        using var client = Client("2.0");
        Assert.Equal("<h1>home</h1>\n", await client.GetStringAsync(site.Url("/"), Ct));
        Assert.Equal("<h1>docs</h1>\n", await client.GetStringAsync(site.Url("/docs/"), Ct));

        var (status, _, location) = await CurlAsync("/docs", "--http2");
        Assert.Equal("301", status);
        Assert.Equal(site.Url("/docs/"), location);

        using var folder = await client.GetAsync(site.Url("/empty/"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, folder.StatusCode);
        Assert.DoesNotContain("readme.md", await folder.Content.ReadAsStringAsync(Ct));
        using var missing = await client.GetAsync(site.Url("/nope.txt"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Not found: /nope.txt\n", await missing.Content.ReadAsStringAsync(Ct));

        using var post = await client.PostAsync(site.Url("/index.html"), new StringContent("x"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Contains("GET", post.Content.Headers.Allow);

        Assert.Equal("body{color:#333}\n", await client.GetStringAsync(site.Url("/alias.css"), Ct));
        Assert.Equal("inside\n", await client.GetStringAsync(site.Url("/linked/inside.txt"), Ct));
        Assert.StartsWith("Contact:", await client.GetStringAsync(site.Url("/.well-known/security.txt"), Ct), StringComparison.Ordinal);
    }

    // Verifies: no request reaches a file outside the root or a dotfile: raw and percent-encoded dot segments, encoded
    // slashes, doubled slashes, links leading out (to a file, to ..), .env and .git — over HTTP/1.1 and h2, sent as
    // written (curl --path-as-is). Each is refused (404, or 400 where Kestrel rejects the target) and never carries
    // the secret.
    [Theory]
    [InlineData("/../outside.txt")]
    [InlineData("/../../../../etc/passwd")]
    [InlineData("/%2e%2e/outside.txt")]
    [InlineData("/%2E%2E/%2e%2e/etc/passwd")]
    [InlineData("/..%2foutside.txt")]
    [InlineData("/static/..%2F..%2Foutside.txt")]
    [InlineData("//etc/passwd")]
    [InlineData("/leak.txt")]
    [InlineData("/up/outside.txt")]
    [InlineData("/.env")]
    [InlineData("/.git/config")]
    [InlineData("/visible")]
    [InlineData("/%2eenv")]
    [InlineData("/..\\outside.txt")]
    public async Task ServeRoot_TraversalAttempts_AreRefused(string path)
    {
        foreach (var protocol in new[] { "--http1.1", "--http2" })
        {
            var (status, body, _) = await CurlAsync(path, protocol);

            Assert.Contains(status, new[] { "404", "400" });
            Assert.DoesNotContain(StaticSiteServer.Secret, body, StringComparison.Ordinal);
        }
    }

    // Verifies: --root that does not exist, or is a file, is a usage error (exit 2) naming the option and the path as
    // given, before anything listens.
    [Theory]
    [InlineData("no-such-folder", "error: Folder 'no-such-folder' (option --root) does not exist.")]
    [InlineData("site/index.html", "error: 'site/index.html' (option --root) is a file, not a folder. Give the folder that holds it (e.g. --root 'site')")]
    public async Task ServeRoot_NotAFolder_ExitsWithUsageErrorNamingTheOption(string root, string message)
    {
        var (code, output) = await RoostCli.RunAsync(["serve", "--workers", "2", "--port", "0", "--root", root], Timeout,
            workingDirectory: site.Workspace.Path);

        Assert.Equal(2, code);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Roost is serving", output, StringComparison.Ordinal);
    }

    // Verifies: a folder the user cannot read is a usage error (exit 2) saying so (run as nobody when the tests run
    // as root, since root reads anything).
    [Fact]
    public async Task ServeRoot_UnreadableFolder_ExitsWithUsageError()
    {
        using var workspace = new TempDirectory("roost-unreadable");
        File.SetUnixFileMode(workspace.Path, (UnixFileMode)0x1ED); // 0755: the folder inside must be visible
        var locked = Directory.CreateDirectory(workspace.File("locked")).FullName;
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            await using var roost = RoostCli.StartUnprivileged(["serve", "--workers", "0", "--port", "0", "--root", locked], workspace);

            Assert.Equal(2, await roost.WaitForExitAsync(Timeout));
            Assert.Contains($"error: Folder '{locked}' (option --root) cannot be read: permission denied.", roost.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, (UnixFileMode)0x1C0);
        }
    }

    // Verifies: clustered (2 workers on the primary's port), every worker serves the files: the 100 KB file over h2 and
    // HTTP/1.1 byte-exact on fresh connections; SIGTERM stops with 0.
    [Fact]
    public async Task ServeRoot_Clustered_WorkersServeTheFiles()
    {
        var port = FreePort.Get();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--no-hot-spare", "--root", "site", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--run-dir", site.Workspace.File("run"), "--cert", site.Chain.LeafPath, "--key", site.Chain.KeyPath, "--ca", site.Chain.IntermediatePath],
            workingDirectory: site.Workspace.Path, name: "roost-cluster");
        await roost.WaitForLineAsync("Files from 'site'", Timeout);
        var deadline = DateTime.UtcNow + Timeout;
        while (roost.Lines.Count(l => l.Contains("is ready: listening on", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        foreach (var version in new[] { "2.0", "1.1", "2.0", "1.1" })
        {
            using var client = Client(version);
            var body = await client.GetByteArrayAsync($"https://localhost:{port}/static/100k.bin", Ct);
            Assert.Equal(site.Blob, body);
        }

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies (issue 13, item 3): a body over --max-body-size (default 1m) gets 413 from --root too, before any file
    // answer: a GET with a 3 MB Content-Length body (refused before the handler) and a POST whose 3 MB body has no
    // length (h2 DATA frames, chunked on HTTP/1.1: read until the limit, then refused).
    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ServeRoot_BodyOverMaxBodySize_Gets413(string version)
    {
        using var client = Client(version);
        var body = new byte[3 * 1024 * 1024];

        using var get = new HttpRequestMessage(HttpMethod.Get, site.Url("/style.css")) { Content = new ByteArrayContent(body) };
        using var getResponse = await client.SendAsync(get, Ct).WaitAsync(Timeout, Ct);
        using var post = new HttpRequestMessage(HttpMethod.Post, site.Url("/style.css")) { Content = new UnknownLengthContent(body) };
        using var postResponse = await client.SendAsync(post, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, getResponse.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, postResponse.StatusCode);
    }

    private HttpClient Client(string version) => TestClients.TrustingOnly(site.Chain.Root, Version.Parse(version));

    /// <summary>curl sending <paramref name="path"/> as written (no dot-segment cleanup), trusting only the test root.</summary>
    private async Task<(string Status, string Body, string Location)> CurlAsync(string path, string protocol)
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var scratch = new TempDirectory("roost-curl");
        var (code, output) = await TestProcess.RunAsync(curl,
            ["-sS", "--path-as-is", protocol, "--cacert", site.Chain.RootPath, "--max-time", "20",
             "--resolve", $"localhost:{site.Port}:127.0.0.1", "-o", scratch.File("body"), "-w", "%{http_code} %{redirect_url}", site.Url(path)],
            Timeout);
        Assert.True(code == 0, $"curl exited with {code}: {output}");
        var parts = output.Trim().Split(' ', 2);
        return (parts[0], File.ReadAllText(scratch.File("body")), parts.Length > 1 ? parts[1] : string.Empty);
    }

    /// <summary>A body sent without Content-Length (chunked on HTTP/1.1, DATA frames until END_STREAM on HTTP/2).</summary>
    private sealed class UnknownLengthContent(byte[] data) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
