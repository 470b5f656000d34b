using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Roost.Server.Internal;

/// <summary>Marks a connection whose TLS ClientHello offers TLS 1.3 (set by <see cref="ClientHelloPeek"/>).</summary>
internal sealed class Tls13Offered
{
    public static readonly Tls13Offered Instance = new();

    private Tls13Offered()
    {
    }
}

/// <summary>Marks a connection whose TLS ClientHello offers only <c>acme-tls/1</c>: an ACME CA validating a TLS-ALPN-01 challenge (set by <see cref="ClientHelloPeek"/>).</summary>
internal sealed class AcmeTlsAlpnOffered
{
    public static readonly AcmeTlsAlpnOffered Instance = new();

    private AcmeTlsAlpnOffered()
    {
    }
}

/// <summary>
/// A connection middleware that runs before Kestrel's TLS middleware and reads — without consuming — the client's
/// first TLS record, to learn whether its ClientHello offers TLS 1.3 (the <c>supported_versions</c> extension).
/// <c>SslStream</c> parses only the server name before it asks for the server options, so its
/// <c>SslClientHelloInfo.SslProtocols</c> cannot tell; the handshake callback reads the mark this leaves instead.
/// </summary>
/// <remarks>
/// It also refuses a first record that is TLS but not a ClientHello (an alert, application data, change_cipher_spec,
/// or a handshake record holding another message): <c>SslStream</c> asks for the server options — the certificate —
/// only when the first record is a ClientHello, so such a connection would go on with no certificate and end in
/// <c>NotSupportedException</c> ("The server mode SSL must use a certificate with the associated private key"), which
/// Kestrel logs as an unhandled connection error (issue 13, item 8). It is closed here with a Debug line instead.
/// Installed on every TLS listener for that reason; the TLS 1.3 mark is set only when the server uses it.
/// Why the mark matters (docs/tls.md): a TLS 1.3 client can be given TLS 1.3-only options without a
/// <c>CipherSuitesPolicy</c> (a policy narrows only TLS 1.2), and then .NET on Linux reuses one OpenSSL context per
/// certificate instead of building one per handshake, and sessions resume. Anything that is not a complete
/// ClientHello in the first record (another protocol, a hello split over records) is simply not marked: it gets the
/// policy's options, as every connection did before.
/// It also marks a ClientHello whose ALPN list is exactly <c>acme-tls/1</c> (<see cref="AcmeTlsAlpnOffered"/>): an ACME
/// CA validating TLS-ALPN-01 (RFC 8737 §3 — its client offers that protocol alone), which the handshake callback
/// answers with the challenge certificate instead of the site's (<c>SslClientHelloInfo</c> carries no ALPN list).
/// </remarks>
internal static class ClientHelloPeek
{
    private const int RecordHeaderLength = 5;
    private const int MaxRecordLength = 16384;
    private const byte HandshakeRecord = 0x16;

    // TLS record content types (RFC 8446 §5.1 and RFC 6520): change_cipher_spec 20 … heartbeat 24. A first byte outside
    // this range is not TLS at all (plain HTTP, an SSLv2-style hello): SslStream refuses those itself.
    private const byte FirstRecordType = 0x14;
    private const byte LastRecordType = 0x18;
    private const byte ClientHelloMessage = 0x01;
    private const ushort SupportedVersions = 0x002b;
    private const ushort ApplicationLayerProtocolNegotiation = 0x0010;
    private const ushort Tls13 = 0x0304;

    private static ReadOnlySpan<byte> AcmeTlsAlpn => "acme-tls/1"u8;

    internal enum Outcome
    {
        NeedMore,
        OffersTls13,
        Other,

        /// <summary>A TLS record that is not a ClientHello: refused (see the remarks).</summary>
        NotClientHello,
    }

    /// <summary>Adds the middleware; <paramref name="timeout"/> bounds the wait for the first record (the connection is aborted then).</summary>
    /// <param name="timeout">The TLS handshake timeout.</param>
    /// <param name="markTls13">Whether to mark connections that offer TLS 1.3 (<see cref="Tls13Offered"/>).</param>
    /// <param name="logger">Logs refused connections (Debug).</param>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan timeout, bool markTls13, ILogger logger) =>
        next => context => PeekAsync(context, next, timeout, markTls13, logger);

    private static async Task PeekAsync(ConnectionContext context, ConnectionDelegate next, TimeSpan timeout, bool markTls13, ILogger logger)
    {
        var input = context.Transport.Input;
        using (var expiry = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            expiry.CancelAfter(timeout);
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(expiry.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // No complete first record within the handshake timeout (or the client left): what Kestrel's TLS
                    // middleware would have done after its own handshake timeout.
                    context.Abort(new ConnectionAbortedException("The TLS ClientHello did not arrive in time."));
                    return;
                }

                var buffer = result.Buffer;
                var outcome = Inspect(buffer, out var acmeTlsAlpn);
                if (outcome == Outcome.NeedMore && !result.IsCompleted && !result.IsCanceled)
                {
                    // Nothing consumed, everything examined: the next read waits for more bytes.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // Nothing consumed or examined: the TLS middleware's first read gets the same bytes at once.
                input.AdvanceTo(buffer.Start);
                if (outcome == Outcome.NotClientHello)
                {
                    // A client's mistake (or a scanner): Debug, as Kestrel logs other failed handshakes (CONTRIBUTING.md §7.4).
                    Log.TlsHandshakeRejected(logger, context.RemoteEndPoint?.ToString() ?? "client", ErrorMessages.NotAClientHello(FirstBytes(buffer)));
                    context.Abort(new ConnectionAbortedException("The first TLS record is not a ClientHello."));
                    return;
                }

                if (markTls13 && outcome == Outcome.OffersTls13)
                {
                    context.Features.Set(Tls13Offered.Instance);
                }

                if (acmeTlsAlpn)
                {
                    context.Features.Set(AcmeTlsAlpnOffered.Instance);
                }

                break;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Looks at the first TLS record in <paramref name="buffer"/>.</summary>
    internal static Outcome Inspect(ReadOnlySequence<byte> buffer) => Inspect(buffer, out _);

    /// <summary>Looks at the first TLS record in <paramref name="buffer"/>; <paramref name="acmeTlsAlpn"/>: its ALPN list is <c>acme-tls/1</c> alone.</summary>
    internal static Outcome Inspect(ReadOnlySequence<byte> buffer, out bool acmeTlsAlpn)
    {
        acmeTlsAlpn = false;
        if (buffer.Length < RecordHeaderLength)
        {
            return Outcome.NeedMore;
        }

        Span<byte> header = stackalloc byte[RecordHeaderLength];
        buffer.Slice(0, RecordHeaderLength).CopyTo(header);
        var recordLength = (header[3] << 8) | header[4];
        if (header[0] is >= FirstRecordType and <= LastRecordType and not HandshakeRecord)
        {
            return Outcome.NotClientHello;
        }

        if (header[0] != HandshakeRecord || recordLength > MaxRecordLength)
        {
            return Outcome.Other;
        }

        if (buffer.Length < RecordHeaderLength + recordLength)
        {
            return Outcome.NeedMore;
        }

        var record = buffer.Slice(RecordHeaderLength, recordLength);
        if (record.IsSingleSegment)
        {
            return InspectRecord(record.FirstSpan, out acmeTlsAlpn);
        }

        var copy = ArrayPool<byte>.Shared.Rent(recordLength);
        try
        {
            record.CopyTo(copy);
            return InspectRecord(copy.AsSpan(0, recordLength), out acmeTlsAlpn);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Finds <c>supported_versions</c> with TLS 1.3 in a ClientHello that fits in <paramref name="record"/>.</summary>
    internal static Outcome InspectRecord(ReadOnlySpan<byte> record) => InspectRecord(record, out _);

    /// <summary>As <see cref="InspectRecord(ReadOnlySpan{byte})"/>; <paramref name="acmeTlsAlpn"/>: the ALPN extension lists <c>acme-tls/1</c> alone.</summary>
    internal static Outcome InspectRecord(ReadOnlySpan<byte> record, out bool acmeTlsAlpn)
    {
        acmeTlsAlpn = false;
        // Handshake header: type (1), length (3). An empty record tells nothing (SslStream waits for more).
        if (record.Length >= 1 && record[0] != ClientHelloMessage)
        {
            return Outcome.NotClientHello;
        }

        if (record.Length < 4)
        {
            return Outcome.Other;
        }

        var length = (record[1] << 16) | (record[2] << 8) | record[3];
        var hello = record[4..];
        if (length > hello.Length)
        {
            // The ClientHello continues in the next record: not worth following.
            return Outcome.Other;
        }

        hello = hello[..length];

        // legacy_version (2), random (32), session id (1 + n), cipher suites (2 + n), compression methods (1 + n).
        var position = 34;
        if (!Skip(hello, ref position, lengthBytes: 1)
            || !Skip(hello, ref position, lengthBytes: 2)
            || !Skip(hello, ref position, lengthBytes: 1)
            || position + 2 > hello.Length)
        {
            return Outcome.Other;
        }

        var extensionsLength = (hello[position] << 8) | hello[position + 1];
        position += 2;
        if (position + extensionsLength > hello.Length)
        {
            return Outcome.Other;
        }

        var extensions = hello.Slice(position, extensionsLength);
        Outcome? versions = null;
        while (extensions.Length >= 4)
        {
            var type = (ushort)((extensions[0] << 8) | extensions[1]);
            var dataLength = (extensions[2] << 8) | extensions[3];
            if (4 + dataLength > extensions.Length)
            {
                // Malformed from here on: what supported_versions said (if it came first) stands.
                return versions ?? Outcome.Other;
            }

            var data = extensions.Slice(4, dataLength);
            if (type == SupportedVersions && versions is null)
            {
                versions = OffersTls13(data);
            }
            else if (type == ApplicationLayerProtocolNegotiation)
            {
                acmeTlsAlpn = IsAcmeTlsAlpnOnly(data);
            }

            extensions = extensions[(4 + dataLength)..];
        }

        return versions ?? Outcome.Other;
    }

    /// <summary>The <c>supported_versions</c> data (a length byte, then 2-byte versions) lists TLS 1.3.</summary>
    private static Outcome OffersTls13(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1 || 1 + data[0] > data.Length)
        {
            return Outcome.Other;
        }

        var versions = data.Slice(1, data[0]);
        for (var i = 0; i + 1 < versions.Length; i += 2)
        {
            if (((versions[i] << 8) | versions[i + 1]) == Tls13)
            {
                return Outcome.OffersTls13;
            }
        }

        return Outcome.Other;
    }

    /// <summary>The ALPN data (RFC 7301 §3.1: a 2-byte list length, then 1-byte-length names) is exactly one name, <c>acme-tls/1</c>.</summary>
    private static bool IsAcmeTlsAlpnOnly(ReadOnlySpan<byte> data) =>
        data.Length == 2 + 1 + AcmeTlsAlpn.Length
        && ((data[0] << 8) | data[1]) == 1 + AcmeTlsAlpn.Length
        && data[2] == AcmeTlsAlpn.Length
        && data[3..].SequenceEqual(AcmeTlsAlpn);

    /// <summary>The first bytes as hex, for the log line (at most 8: the record header and the message type).</summary>
    private static string FirstBytes(ReadOnlySequence<byte> buffer)
    {
        Span<byte> first = stackalloc byte[8];
        var length = (int)Math.Min(buffer.Length, first.Length);
        buffer.Slice(0, length).CopyTo(first);
        return Convert.ToHexString(first[..length]);
    }

    private static bool Skip(ReadOnlySpan<byte> hello, ref int position, int lengthBytes)
    {
        if (position + lengthBytes > hello.Length)
        {
            return false;
        }

        var length = lengthBytes == 1 ? hello[position] : (hello[position] << 8) | hello[position + 1];
        position += lengthBytes + length;
        return position <= hello.Length;
    }
}
