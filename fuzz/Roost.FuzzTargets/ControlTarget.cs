using System.Text;
using System.Text.Json;
using Roost.Clustering.Internal.Control;
using Roost.Control;

namespace Roost.FuzzTargets;

/// <summary>
/// What a control-socket peer sends: the bytes up to the first newline, as the primary reads them, decoded as UTF-8.
/// Checks: parsing never throws; an accepted request has this protocol version and survives serialize → parse
/// unchanged; a refusal is a <c>bad-request</c> or <c>version</c> error with a message, encoded as one line.
/// </summary>
public static class ControlTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var newline = data.IndexOf((byte)'\n');
        var bytes = newline >= 0 ? data[..newline] : data;
        if (bytes.Length > ControlProtocol.MaxRequestBytes)
        {
            // The primary refuses a longer line before it parses anything.
            return;
        }

        Parse(Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Parses one request line and checks the outcome.</summary>
    public static void Parse(string line)
    {
        if (ControlProtocol.TryParseRequest(line, out var request, out var error))
        {
            FuzzInvariantException.That(request.Version == ControlProtocol.Version, $"a request of version {request.Version} was accepted");
            var encoded = JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest);
            FuzzInvariantException.That(!encoded.Contains('\n'), "an encoded request is not one line");
            FuzzInvariantException.That(ControlProtocol.TryParseRequest(encoded, out var again, out var againError), $"a re-encoded request is refused: {againError?.Message}");
            FuzzInvariantException.That(again == request, $"{request} became {again} after a round trip");
            return;
        }

        FuzzInvariantException.That(
            error.Code is ControlErrorCodes.BadRequest or ControlErrorCodes.Version && !string.IsNullOrWhiteSpace(error.Message),
            $"a refusal has code '{error.Code}' and message '{error.Message}'");
        var answer = JsonSerializer.SerializeToUtf8Bytes<ControlResponse>(error, ControlJsonContext.Default.ControlResponse);
        FuzzInvariantException.That(answer.AsSpan().IndexOf((byte)'\n') < 0, "the error answer is not one line");
    }
}
