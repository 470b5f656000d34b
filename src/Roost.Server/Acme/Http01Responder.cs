using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Roost.Acme;

/// <summary>
/// The port-80 listener of HTTP-01 (RFC 8555 §8.3): answers <c>GET /.well-known/acme-challenge/{token}</c> with the
/// key authorization while a challenge is pending, and redirects every other request to HTTPS (301, the path and
/// query kept, as nginx's usual <c>return 301 https://$host$request_uri</c>). It runs in the process that talks to
/// the CA (the primary), so it works before any worker exists; one request per connection, then close.
/// </summary>
internal sealed class Http01Responder : AcmeResponder
{
    public const string ChallengePrefix = "/.well-known/acme-challenge/";

    /// <summary>Requests larger than this are refused: a challenge request is a few hundred bytes.</summary>
    private const int MaxRequestBytes = 8192;

    /// <summary>A client that sends no complete request head in this time is dropped.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly int _httpsPort;

    private Http01Responder(Socket socket, int httpsPort, ILogger logger)
        : base(socket, logger)
    {
        _httpsPort = httpsPort;
    }

    /// <summary>Binds <paramref name="endPoint"/> and starts answering.</summary>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static Http01Responder Start(IPEndPoint endPoint, int httpsPort, ILogger logger)
    {
        var responder = new Http01Responder(Bind(endPoint), httpsPort, logger);
        responder.StartAccepting();
        return responder;
    }

    /// <summary>Answers <paramref name="token"/> with <paramref name="keyAuthorization"/> until removed.</summary>
    public void Add(string token, string keyAuthorization) => _tokens[token] = keyAuthorization;

    public void Remove(string token) => _tokens.TryRemove(token, out _);

    private protected override void OnAccepted(Socket client) => _ = Task.Run(() => AnswerAsync(client));

    // A connection reset before it was accepted: keep accepting.
    private protected override void OnAcceptFailed(SocketException exception) => AcmeLog.Http01AcceptFailed(Logger, exception.SocketErrorCode.ToString());

    private async Task AnswerAsync(Socket client)
    {
        using (client)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
            timeout.CancelAfter(ReadTimeout);
            try
            {
                var head = await ReadHeadAsync(client, timeout.Token).ConfigureAwait(false);
                var response = head is null ? Plain(400, "Bad Request", "Bad request.\n") : Answer(head);
                await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Slow or vanished client, or stopping: nothing to answer.
            }
        }
    }

    /// <summary>The request line and headers, or <see langword="null"/> when they are too long or the client closed.</summary>
    private static async Task<string?> ReadHeadAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return Encoding.Latin1.GetString(buffer, 0, end);
            }
        }

        return null;
    }

    private string Answer(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !parts[1].StartsWith('/'))
        {
            return Plain(400, "Bad Request", "Bad request.\n");
        }

        var (method, target) = (parts[0], parts[1]);
        if (target.StartsWith(ChallengePrefix, StringComparison.Ordinal))
        {
            var token = target[ChallengePrefix.Length..];
            if (method is "GET" or "HEAD" && _tokens.TryGetValue(token, out var keyAuthorization))
            {
                AcmeLog.Http01ChallengeAnswered(Logger, token);
                return Plain(200, "OK", keyAuthorization, method == "HEAD");
            }

            return Plain(404, "Not Found", "No such ACME challenge.\n");
        }

        var host = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("Host", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim())
            .FirstOrDefault();
        if (host is null || !IsSafeHost(host))
        {
            return Plain(400, "Bad Request", "A Host header is required.\n");
        }

        // Drop the port of http://host:80/ and add the HTTPS port unless it is 443.
        var name = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
        var authority = _httpsPort == 443 ? name : name + ":" + _httpsPort.ToString(CultureInfo.InvariantCulture);
        var location = "https://" + authority + target;
        return $"HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

    /// <summary>Letters, digits, '.', '-', ':', '[' and ']' only: nothing that could split the Location header.</summary>
    private static bool IsSafeHost(string host) =>
        host.Length is > 0 and <= 255 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']');

    private static string Plain(int status, string reason, string body, bool headOnly = false) =>
        $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.ASCII.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n{(headOnly ? string.Empty : body)}";
}
