using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Roost.Control;

namespace Roost.Clustering.Internal.Control;

/// <summary>
/// The control socket's protocol: JSON lines over a unix stream socket. The client sends one request (one JSON object,
/// <c>"v"</c> = <see cref="Version"/>, <c>"type"</c> = the command); the primary answers with zero or more
/// <c>progress</c> lines and ends with exactly one <c>status</c>, <c>result</c> or <c>error</c> line, then closes.
/// A primary answers a request of another version with an <c>error</c> (code <c>version</c>). Documented in docs/cli.md.
/// </summary>
internal static class ControlProtocol
{
    /// <summary>The protocol version this build speaks.</summary>
    public const int Version = 1;

    /// <summary>The longest request line the primary reads.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// Reads one request line (without its newline): the request, or the <c>error</c> line to answer with. Never throws
    /// for what a peer can send: anything that is not a request of this version becomes a <c>bad-request</c> or
    /// <c>version</c> error naming what was wrong.
    /// </summary>
    public static bool TryParseRequest(
        string line, [NotNullWhen(true)] out ControlRequest? request, [NotNullWhen(false)] out ControlResponse.Error? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        request = null;
        try
        {
            var version = ReadVersion(line);
            if (version != Version)
            {
                error = new ControlResponse.Error(ControlErrorCodes.Version, ClusterErrorMessages.ControlVersion(version));
                return false;
            }

            request = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // Not JSON, too deep, an unknown or missing "type", or a field of the wrong shape.
            error = new ControlResponse.Error(ControlErrorCodes.BadRequest, ClusterErrorMessages.ControlBadRequest(ex.Message));
            return false;
        }

        if (request is null)
        {
            error = new ControlResponse.Error(ControlErrorCodes.BadRequest, ClusterErrorMessages.ControlBadRequest("null"));
            return false;
        }

        if (request is ControlRequest.Stop { TimeoutSeconds: double timeout } && !double.IsFinite(timeout))
        {
            // JSON numbers past double's range read as infinity, which has no JSON form and no meaning as a timeout.
            error = new ControlResponse.Error(
                ControlErrorCodes.BadRequest,
                ClusterErrorMessages.ControlBadRequest($"\"timeoutSeconds\" must be a finite number of seconds; got {timeout}"));
            request = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The <c>"v"</c> of a request line; 0 when the line is not an object or has no integer <c>"v"</c>.</summary>
    private static int ReadVersion(string line)
    {
        using var document = JsonDocument.Parse(line);
        // TryGetInt32 throws on a "v" that is not a number (fuzzing found "v":"reload"): check the kind first.
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("v", out var v)
            && v.ValueKind == JsonValueKind.Number
            && v.TryGetInt32(out var version) ? version : 0;
    }
}
