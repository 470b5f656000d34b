using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Roost.Acme;

/// <summary>
/// A small RFC 8555 client: directory, nonces, account, order, authorizations, challenges, finalize and download.
/// Every request but the directory and new nonces is a JWS-signed POST (POST-as-GET for reads, §6.3); a
/// <c>badNonce</c> answer is retried with the fresh nonce it carries (§6.5).
/// </summary>
/// <remarks>Not thread-safe: one issuance at a time uses one client.</remarks>
internal sealed class AcmeClient : IDisposable
{
    /// <summary>How often a <c>badNonce</c> is retried (§6.5: the client should retry; more means something else is wrong).</summary>
    private const int BadNonceRetries = 5;

    /// <summary>Per-request timeout: a CA that does not answer in this time counts as unreachable.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly Uri _directoryUrl;
    private readonly AcmeAccountKey _key;
    private AcmeDirectory? _directory;
    private string? _nonce;

    /// <param name="directoryUrl">The CA's directory URL.</param>
    /// <param name="key">The account key.</param>
    /// <param name="trustedRoots">Certificates the CA's own HTTPS certificate may chain to instead of the system's trust store (a test CA), or empty.</param>
    /// <param name="settingNames">How the user named the settings (CLI flags or the façade's properties), for messages.</param>
    public AcmeClient(Uri directoryUrl, AcmeAccountKey key, X509Certificate2Collection trustedRoots, AcmeSettingNames settingNames)
    {
        SettingNames = settingNames;
        _directoryUrl = directoryUrl;
        _key = key;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (trustedRoots.Count > 0)
        {
            // The CA's HTTPS certificate must chain to these roots (with the intermediates it sends); the host name is still checked.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(trustedRoots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        _http = new HttpClient(handler) { Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("roost-acme", "1"));
    }

    /// <summary>How the user named the settings: messages about them use these names.</summary>
    public AcmeSettingNames SettingNames { get; }

    /// <summary>The account URL (the JWS <c>kid</c>) once known.</summary>
    public string? AccountUrl { get; set; }

    public AcmeDirectory? Directory => _directory;

    /// <summary>Reads the directory (once).</summary>
    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, _directoryUrl), cancellationToken).ConfigureAwait(false);
        _directory = await ReadAsync(response, "directory", AcmeJsonContext.Default.AcmeDirectory, cancellationToken).ConfigureAwait(false);
        return _directory;
    }

    /// <summary>Creates the account, or finds the existing one for this key (§7.3, §7.3.1); sets <see cref="AccountUrl"/>.</summary>
    public async Task<string> CreateAccountAsync(string? email, bool termsOfServiceAgreed, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new AcmeNewAccountRequest(email is null ? null : ["mailto:" + email], termsOfServiceAgreed), AcmeJsonContext.Default.AcmeNewAccountRequest);
        AccountUrl = null;
        using var response = await PostAsync(directory.NewAccount, payload, "new account", cancellationToken).ConfigureAwait(false);
        AccountUrl = response.Headers.Location?.ToString() ?? throw new AcmeException($"The CA's new-account answer ({(int)response.StatusCode}) has no Location header; the account URL is unknown.");
        return AccountUrl;
    }

    /// <summary>
    /// The CA's renewal information for <paramref name="certificateId"/> (ACME ARI, RFC 9773 §4.2: an unauthenticated
    /// GET), with its Retry-After; <see langword="null"/> when the directory offers no <c>renewalInfo</c>.
    /// </summary>
    public async Task<(AcmeRenewalInfo Info, TimeSpan? RetryAfter)?> GetRenewalInfoAsync(string certificateId, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (directory.RenewalInfo is not { Length: > 0 } baseUrl)
        {
            return null;
        }

        var url = baseUrl.TrimEnd('/') + "/" + certificateId;
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken, "renewal information").ConfigureAwait(false);
        var info = await ReadAsync(response, "renewal information", AcmeJsonContext.Default.AcmeRenewalInfo, cancellationToken).ConfigureAwait(false);
        return (info, RetryAfterOf(response));
    }

    /// <summary>Places an order for <paramref name="names"/> (§7.4).</summary>
    public async Task<(AcmeOrder Order, string Url)> NewOrderAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new AcmeNewOrderRequest([.. names.Select(n => new AcmeIdentifier("dns", n))]), AcmeJsonContext.Default.AcmeNewOrderRequest);
        using var response = await PostAsync(directory.NewOrder, payload, "new order", cancellationToken).ConfigureAwait(false);
        var order = await ReadAsync(response, "new order", AcmeJsonContext.Default.AcmeOrder, cancellationToken).ConfigureAwait(false);
        var url = response.Headers.Location?.ToString() ?? throw new AcmeException("The CA's new-order answer has no Location header; the order URL is unknown.");
        return (order, url);
    }

    /// <summary>Reads a resource with POST-as-GET (§6.3).</summary>
    public async Task<(T Value, TimeSpan? RetryAfter)> GetAsync<T>(string url, string what, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, what, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, what, type, cancellationToken).ConfigureAwait(false), RetryAfterOf(response));
    }

    /// <summary>Tells the CA the challenge is ready to be checked (§7.5.1).</summary>
    public async Task RespondAsync(AcmeChallenge challenge, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(challenge.Url, "{}"u8.ToArray(), "challenge " + challenge.Type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the CSR (§7.4).</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csr, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new AcmeFinalizeRequest(System.Buffers.Text.Base64Url.EncodeToString(csr)), AcmeJsonContext.Default.AcmeFinalizeRequest);
        using var response = await PostAsync(order.Finalize, payload, "finalize", cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, "finalize", AcmeJsonContext.Default.AcmeOrder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads the certificate chain as PEM, leaf first (§7.4.2).</summary>
    public async Task<string> DownloadCertificateAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, "certificate download", cancellationToken, "application/pem-certificate-chain").ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A signed POST; <paramref name="payload"/> <see langword="null"/> is POST-as-GET. Retries <c>badNonce</c>.</summary>
    private async Task<HttpResponseMessage> PostAsync(string url, byte[]? payload, string what, CancellationToken cancellationToken, string? accept = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var nonce = _nonce ?? await NewNonceAsync(cancellationToken).ConfigureAwait(false);
            _nonce = null;
            var body = _key.Sign(url, nonce, AccountUrl, payload ?? []);
            var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
                if (accept is not null)
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                }

                return request;
            }, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                if (problem?.Type == AcmeProblemTypes.BadNonce && attempt < BadNonceRetries)
                {
                    // §6.5: the error carries a fresh nonce (kept by SendAsync); sign again with it.
                    continue;
                }

                throw new AcmeException(ErrorMessages.AcmeRequestFailed(what, url, (int)response.StatusCode, problem), problem, RetryAfterOf(response));
            }
        }
    }

    private async Task<string> NewNonceAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, directory.NewNonce), cancellationToken).ConfigureAwait(false);
        var nonce = _nonce;
        _nonce = null;
        return nonce ?? throw new AcmeException($"The CA's new-nonce answer ({(int)response.StatusCode}) from '{directory.NewNonce}' has no Replay-Nonce header.");
    }

    /// <summary>Sends one request; keeps the Replay-Nonce of every answer; wraps network failures (unreachable CA).</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken, string getWhat = "directory")
    {
        using var request = create();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new AcmeException(ErrorMessages.AcmeUnreachable(request.RequestUri!.ToString(), Innermost(ex), SettingNames), innerException: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AcmeException(ErrorMessages.AcmeUnreachable(request.RequestUri!.ToString(), $"no answer within {RequestTimeout.TotalSeconds:0} seconds", SettingNames), innerException: ex);
        }

        if (response.Headers.TryGetValues("Replay-Nonce", out var nonces) && nonces.FirstOrDefault() is { Length: > 0 } nonce)
        {
            _nonce = nonce;
        }

        if (request.Method == HttpMethod.Get && !response.IsSuccessStatusCode)
        {
            using (response)
            {
                var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                throw new AcmeException(ErrorMessages.AcmeRequestFailed(getWhat, request.RequestUri!.ToString(), (int)response.StatusCode, problem), problem, RetryAfterOf(response));
            }
        }

        return response;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string what, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                    ?? throw new AcmeException($"The CA answered the {what} request with 'null'.");
            }
        }
        catch (JsonException ex)
        {
            throw new AcmeException($"The CA's answer to the {what} request ({response.RequestMessage?.RequestUri}) is not the JSON ACME expects: {ex.Message}", innerException: ex);
        }
    }

    private static async Task<AcmeProblem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length == 0 ? null : JsonSerializer.Deserialize(text, AcmeJsonContext.Default.AcmeProblem);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page): the status code alone is reported.
            return null;
        }
    }

    /// <summary>The most specific message of an exception chain ("Connection refused", "…PartialChain") rather than "see inner exception".</summary>
    private static string Innermost(Exception exception)
    {
        var message = exception.Message;
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current.Message.Length > 0)
            {
                message = current.Message;
            }
        }

        return message;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
