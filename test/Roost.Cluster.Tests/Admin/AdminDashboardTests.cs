using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Admin;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;
using Roost.Tls;

namespace Roost.Cluster.Tests.Admin;

/// <summary>
/// The admin listener's dashboard routes on a real Kestrel on 127.0.0.1:0, over HTTP: the login form and its session
/// cookie, the anti-CSRF check of the actions (and that a refused action never reaches the supervisor), the host
/// check without a token, and the certificates panel's reload on file change. The full path through a running
/// cluster is in Roost.BrowserTests' DashboardTests.
/// </summary>
public sealed partial class AdminDashboardTests
{
    private const string Token = "0123456789abcdef-token";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: with a token, the page, the stream and the metrics answer 401 without it (the page with the login
    // form); a wrong token at the login form is 401; the right one sets an HttpOnly, SameSite=Strict cookie holding a
    // session id (not the token) with which the page and the stream answer 200; the bearer header still works for
    // scrapers; logout ends the session.
    [Fact]
    public async Task Login_WithAToken_NoCookieIs401_TheFormSetsASessionCookie_BearerStillWorks()
    {
        await using var admin = await StartAsync(Token);
        using var client = admin.Client();

        using (var page = await client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
            Assert.Contains("<form method=\"post\" action=\"/login\">", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics", Ct)).StatusCode);
        using (var wrong = await client.PostAsync("/login", Form(("token", "not-the-token-at-all")), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("That is not the admin token", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }

        using var login = await client.PostAsync("/login", Form(("token", Token)), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];

        using (var page = await client.SendAsync(Get("/", cookie), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Matches(CsrfPattern(), await page.Content.ReadAsStringAsync(Ct));
            Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        }

        using (var stream = await client.SendAsync(Get("/api/stream", cookie), HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(Ct));
            var first = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.StartsWith("data: {\"metrics\":", first, StringComparison.Ordinal);
        }

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(bearer, Ct)).StatusCode);

        var csrf = await CsrfOfAsync(client, cookie);
        using var logout = Post("/logout", cookie, csrf);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(logout, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Get("/api/metrics", cookie), Ct)).StatusCode);
    }

    // Verifies: an action POST without the session's anti-CSRF token, with another session's token, with a forged
    // one or from another origin is refused with 403 and never reaches the supervisor; with it, the control request is
    // handed to the supervisor's entry point and its progress and result lines stream back as NDJSON.
    [Fact]
    public async Task Actions_WithoutTheSessionsCsrfToken_Are403AndNeverReachTheSupervisor()
    {
        await using var admin = await StartAsync(token: null);
        using var client = admin.Client();
        var (cookie, csrf) = await OpenPageAsync(client);
        var (otherCookie, otherCsrf) = await OpenPageAsync(client);
        Assert.NotEqual(csrf, otherCsrf);

        using var none = Post("/api/actions/reload", cookie, csrf: null);
        using var other = Post("/api/actions/reload", cookie, otherCsrf);
        using var forged = Post("/api/actions/reload", cookie, csrf[..^2] + "AA");
        using var noCookie = Post("/api/actions/reload", cookie: null, csrf);
        using var crossOrigin = Post("/api/actions/reload", cookie, csrf);
        crossOrigin.Headers.Add("Origin", "http://attacker.example");
        foreach (var refused in new[] { none, other, forged, noCookie, crossOrigin })
        {
            using var response = await client.SendAsync(refused, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.StartsWith("Refused:", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Empty(admin.Requests);

        using var scale = Post("/api/actions/scale", otherCookie, otherCsrf, ("delta", "-1"));
        scale.Headers.Add("Origin", $"http://{admin.Listener.EndPoint}");
        using var accepted = await client.SendAsync(scale, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("application/x-ndjson", accepted.Content.Headers.ContentType?.MediaType);
        var lines = (await accepted.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["{\"type\":\"progress\",\"event\":\"accepted\",\"message\":\"Scale requested\",\"v\":1}", "{\"type\":\"result\",\"operation\":\"scale\",\"outcome\":\"scaled\",\"ok\":true,\"workers\":1,\"previous\":2,\"v\":1}"], lines);
        Assert.Equal(new ControlRequest.Scale(Delta: -1), Assert.Single(admin.Requests));

        using var badScale = Post("/api/actions/scale", cookie, csrf, ("delta", "1"), ("workers", "3"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(badScale, Ct)).StatusCode);
        Assert.Single(admin.Requests);
    }

    // Verifies: without a token, a request naming another host (a DNS name rebound to 127.0.0.1) is refused, while
    // 127.0.0.1 and localhost pass.
    [Fact]
    public async Task NoToken_ARequestForAnotherHost_IsRefused()
    {
        await using var admin = await StartAsync(token: null);
        using var client = admin.Client();
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        rebound.Headers.Host = $"attacker.example:{admin.Listener.EndPoint.Port}";
        using var refused = await client.SendAsync(rebound, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("'attacker.example:", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var local = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        local.Headers.Host = $"localhost:{admin.Listener.EndPoint.Port}";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(local, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics", Ct)).StatusCode);
    }

    // Verifies: the certificates panel shows the loaded certificate's subject, issuer, expiry and days left, and
    // shows the new one once its files are replaced (a renewal).
    [Fact]
    public void Certificates_ShowTheLoadedOne_AndTheRenewedOneAfterTheFilesChange()
    {
        var directory = Directory.CreateTempSubdirectory("roost-dash-");
        try
        {
            var cert = Path.Combine(directory.FullName, "site.pem");
            var key = Path.Combine(directory.FullName, "site.key");
            var first = WriteSelfSigned(cert, key, "CN=first.test", TimeSpan.FromDays(30));
            var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
            var certificates = new DashboardCertificates([new("default", CertificateSource.FromPemFiles(cert, key))], time);

            var shown = Assert.Single(certificates.Describe());
            Assert.Equal(("default", "CN=first.test", "CN=first.test", first.SerialNumber, (string?)null), (shown.Name, shown.Subject, shown.Issuer, shown.SerialNumber, shown.Error));
            Assert.InRange(shown.DaysLeft!.Value, 29.8, 30);
            Assert.Equal(["first.test"], shown.DnsNames);
            time.Advance(TimeSpan.FromDays(10));
            Assert.InRange(Assert.Single(certificates.Describe()).DaysLeft!.Value, 19.8, 20);

            var renewed = WriteSelfSigned(cert, key, "CN=renewed.test", TimeSpan.FromDays(90));
            File.SetLastWriteTimeUtc(cert, DateTime.UtcNow.AddMinutes(1));
            var after = Assert.Single(certificates.Describe());
            Assert.Equal(("CN=renewed.test", renewed.SerialNumber), (after.Subject, after.SerialNumber));

            File.Delete(key);
            Assert.Contains(key, Assert.Single(certificates.Describe()).Error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // Verifies: with ClusterAdminOptions.Tls the listener speaks HTTPS — h2 over TLS with the given certificate, the
    // session cookie marked Secure — and serves a renewed certificate on new connections once its files change, with
    // no restart; a renewal whose files do not load keeps the previous certificate in service.
    [Fact]
    public async Task Tls_ServesH2WithTheCertificate_SecureCookie_RenewedFilesServedWithoutRestart()
    {
        var directory = Directory.CreateTempSubdirectory("roost-admin-tls-");
        try
        {
            var cert = Path.Combine(directory.FullName, "admin.pem");
            var key = Path.Combine(directory.FullName, "admin.key");
            WriteSelfSigned(cert, key, "CN=admin-first.test", TimeSpan.FromDays(30));
            await using var admin = await StartAsync(Token, CertificateSource.FromPemFiles(cert, key));
            Assert.True(admin.Listener.IsSecure);
            Assert.Equal($"https://127.0.0.1:{admin.Listener.EndPoint.Port}/", admin.Listener.Url);

            var (version, subject) = await ScrapeAsync(admin);
            Assert.Equal((HttpVersion.Version20, "CN=admin-first.test"), (version, subject));
            using (var client = admin.Client())
            {
                using var login = await client.PostAsync("/login", Form(("token", Token)), Ct);
                Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
                Assert.Contains("secure", Assert.Single(login.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
            }

            WriteSelfSigned(cert, key, "CN=admin-renewed.test", TimeSpan.FromDays(90));
            File.SetLastWriteTimeUtc(cert, DateTime.UtcNow.AddMinutes(1));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((await ScrapeAsync(admin)).Subject != "CN=admin-renewed.test" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }

            Assert.Equal("CN=admin-renewed.test", (await ScrapeAsync(admin)).Subject);

            File.WriteAllText(key, "not a key");
            File.SetLastWriteTimeUtc(key, DateTime.UtcNow.AddMinutes(2));
            await Task.Delay(1500, Ct);
            Assert.Equal("CN=admin-renewed.test", (await ScrapeAsync(admin)).Subject);
            Assert.Equal("CN=admin-renewed.test", (await ScrapeAsync(admin)).Subject);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // Verifies: a certificate that does not load stops the admin listener's start with a message naming the file
    // and what to do; nothing is left listening.
    [Fact]
    public async Task Tls_KeyMissing_StartFailsNamingTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("roost-admin-tls-");
        try
        {
            var cert = Path.Combine(directory.FullName, "admin.pem");
            var key = Path.Combine(directory.FullName, "admin.key");
            WriteSelfSigned(cert, key, "CN=admin.test", TimeSpan.FromDays(30));
            File.Delete(key);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(Token, CertificateSource.FromPemFiles(cert, key)));
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
            Assert.Contains("over TLS", error.Message, StringComparison.Ordinal);
            Assert.Contains("ClusterAdminOptions.Tls", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>One scrape of /metrics on a new connection: the HTTP version and the certificate the server showed.</summary>
    private static async Task<(Version Version, string? Subject)> ScrapeAsync(RunningAdmin admin)
    {
        string? subject = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            subject = certificate?.Subject;
            return true;
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(admin.Listener.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Version, subject);
    }

    private static X509Certificate2 WriteSelfSigned(string certPath, string keyPath, string subject, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject[3..]);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.Add(validity));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private static async Task<(string Cookie, string Csrf)> OpenPageAsync(HttpClient client)
    {
        using var page = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie")).Split(';')[0];
        return (cookie, CsrfPattern().Match(await page.Content.ReadAsStringAsync(Ct)).Groups[1].Value);
    }

    private static async Task<string> CsrfOfAsync(HttpClient client, string cookie)
    {
        using var page = await client.SendAsync(Get("/", cookie), Ct);
        return CsrfPattern().Match(await page.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
    }

    private static HttpRequestMessage Get(string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    private static HttpRequestMessage Post(string path, string? cookie, string? csrf, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Form(fields) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (csrf is not null)
        {
            request.Headers.Add(AdminAuthorization.CsrfHeader, csrf);
        }

        return request;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static async Task<RunningAdmin> StartAsync(string? token, CertificateSource? tls = null)
    {
        var metrics = new ClusterMetrics(new StderrLogger(LogLevel.None), new SupervisionLog(TimeProvider.System));
        var header = new ClusterMetrics.SnapshotHeader("t", DateTimeOffset.UnixEpoch, 1, 2, "running", null);
        var requests = new List<ControlRequest>();

        // The supervisor's side of a scale, as Supervisor.Control.cs answers it: progress, then the result.
        void Control(ControlRequest request, ControlSession session)
        {
            lock (requests)
            {
                requests.Add(request);
            }

            session.Send(new ControlResponse.Progress("accepted", "Scale requested"));
            session.Complete(new ControlResponse.Result("scale", "scaled", true, Workers: 1, Previous: 2));
        }

        var services = new AdminServices(_ => Task.FromResult(metrics.Build(header, [], DateTimeOffset.UtcNow)), new StderrLogger(LogLevel.None), Control);
        var options = new ClusterAdminOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), BearerToken = token, Tls = tls };
        var listener = await AdminListener.StartAsync(options, services, Ct);
        return new RunningAdmin(listener, metrics, requests);
    }

    [GeneratedRegex("<meta name=\"roost-csrf\" content=\"([A-Za-z0-9_-]{43})\">")]
    private static partial Regex CsrfPattern();

    private sealed class RunningAdmin(AdminListener listener, ClusterMetrics metrics, List<ControlRequest> requests) : IAsyncDisposable
    {
        public AdminListener Listener => listener;

        public IReadOnlyList<ControlRequest> Requests
        {
            get
            {
                lock (requests)
                {
                    return [.. requests];
                }
            }
        }

        public HttpClient Client() => new(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
        {
            BaseAddress = new Uri(listener.Url),
            Timeout = TimeSpan.FromSeconds(30),
        };

        public async ValueTask DisposeAsync()
        {
            await listener.DisposeAsync();
            metrics.Dispose();
        }
    }
}
