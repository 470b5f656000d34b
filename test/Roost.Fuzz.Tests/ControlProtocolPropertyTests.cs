using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using Roost.Clustering.Internal.Control;
using Roost.Control;
using Roost.FuzzTargets;

namespace Roost.Fuzz.Tests;

/// <summary>
/// The control socket's protocol as properties: every request and response shape round-trips; arbitrary and mutated
/// request lines never throw and are answered with a bad-request or version error that carries a message.
/// </summary>
public sealed class ControlProtocolPropertyTests
{
    [Fact]
    public void Generators_CoverEveryRequestAndResponseType()
    {
        Assert.Equal(
            typeof(ControlRequest).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).OrderBy(t => t.Name),
            Generators.ControlRequests.Keys.OrderBy(t => t.Name));
        Assert.Equal(
            typeof(ControlResponse).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).OrderBy(t => t.Name),
            Generators.ControlResponses.Keys.OrderBy(t => t.Name));
    }

    [Fact]
    public void Requests_RoundTripThroughTheServersParser()
    {
        Property.Check(Generators.ControlRequest, request =>
        {
            var line = JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest);
            Assert.DoesNotContain('\n', line);

            Assert.True(ControlProtocol.TryParseRequest(line, out var parsed, out var error), error?.Message);
            Assert.Equal(request, parsed);
        }, iterations: 2000);
    }

    [Fact]
    public void Responses_RoundTrip()
    {
        Property.Check(Generators.ControlResponse, response =>
        {
            var line = JsonSerializer.Serialize(response, ControlJsonContext.Default.ControlResponse);
            Assert.DoesNotContain('\n', line);

            var parsed = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse);
            Assert.Equal(response.GetType(), parsed!.GetType());
            Assert.Equal(line, JsonSerializer.Serialize(parsed, ControlJsonContext.Default.ControlResponse));
        }, iterations: 2000);
    }

    [Fact]
    public void ArbitraryLines_AreAnsweredWithAnError_NeverAnException()
    {
        Property.Check(Gen.Byte.Array[0, 400], bytes => ControlTarget.Run(bytes), iterations: 3000);
        Property.Check(Generators.Text, line => ControlTarget.Parse(line), iterations: 2000);
    }

    [Fact]
    public void MutatedRequests_AreParsedOrRefused_NeverThrow()
    {
        var requests = Generators.ControlRequest.Select(r => JsonSerializer.SerializeToUtf8Bytes(r, ControlJsonContext.Default.ControlRequest));
        Property.Check(Mutations.Of(requests), bytes => ControlTarget.Run(bytes), iterations: 5000);
    }

    [Theory]
    [InlineData("{\"v\":\"reload\",\"y\":true}")]
    [InlineData("{\"v\":\"1\",\"type\":\"status\"}")]
    [InlineData("{\"v\":[1],\"type\":\"status\"}")]
    [InlineData("{\"v\":1.5,\"type\":\"status\"}")]
    [InlineData("{\"v\":99999999999,\"type\":\"status\"}")]
    public void VersionThatIsNotAnInt32_IsAVersionError(string line)
    {
        // Found by fuzzing (fuzz/regressions/control/version-not-a-number): JsonElement.TryGetInt32 threw on a string,
        // the exception escaped the connection's task, and the peer was never answered (its socket left open).
        Assert.False(ControlProtocol.TryParseRequest(line, out var request, out var error));
        Assert.Null(request);
        Assert.Equal(ControlErrorCodes.Version, error.Code);
        Assert.Contains("version 0 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "bad-request")]
    [InlineData("null", "version")]
    [InlineData("[1]", "version")]
    [InlineData("{\"v\":1}", "bad-request")]
    [InlineData("{\"v\":1,\"type\":\"launch\"}", "bad-request")]
    [InlineData("{\"v\":1,\"type\":\"scale\",\"workers\":\"many\"}", "bad-request")]
    [InlineData("{\"v\":2,\"type\":\"status\"}", "version")]
    [InlineData("{\"v\":1,\"type\":\"stop\",\"timeoutSeconds\":6.4E+666649}", "bad-request")]
    public void MalformedRequest_IsRefusedWithItsCode(string line, string code)
    {
        Assert.False(ControlProtocol.TryParseRequest(line, out _, out var error));
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void DeeplyNestedRequest_IsABadRequest()
    {
        var line = "{\"v\":1,\"type\":\"status\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.True(Encoding.UTF8.GetByteCount(line) < ControlProtocol.MaxRequestBytes);

        Assert.False(ControlProtocol.TryParseRequest(line, out _, out var error));
        Assert.Equal(ControlErrorCodes.BadRequest, error.Code);
    }
}
