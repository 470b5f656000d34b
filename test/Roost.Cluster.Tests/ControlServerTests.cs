using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.Clustering.Internal.Control;
using Roost.Control;
using Roost.Testing;

namespace Roost.Cluster.Tests;

/// <summary>
/// ControlServer over a real unix socket: whatever one line a peer sends, it gets exactly one answer line and the
/// connection is closed (a request that never reaches the supervisor must not leave the peer waiting).
/// </summary>
public sealed class ControlServerTests
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("{\"v\":\"1\",\"type\":\"status\"}", ControlErrorCodes.Version)]
    [InlineData("{\"v\":\"reload\",\"y\":true}", ControlErrorCodes.Version)]
    [InlineData("{\"v\":2,\"type\":\"status\"}", ControlErrorCodes.Version)]
    [InlineData("{\"v\":1,\"type\":\"launch\"}", ControlErrorCodes.BadRequest)]
    [InlineData("not json", ControlErrorCodes.BadRequest)]
    public async Task MalformedRequest_IsAnsweredWithOneErrorLine_AndClosed(string line, string code)
    {
        // Before the fuzzing fix, a "v" that was not a number threw out of the connection's task: no answer, and the
        // socket stayed open until the client gave up.
        using var directory = new TempDirectory("roost-ctl");
        var requests = 0;
        using var server = ControlServer.Start("fuzz", Path.Combine(directory.Path, "run"), NullLogger.Instance, (_, session) =>
        {
            Interlocked.Increment(ref requests);
            session.Complete(new ControlResponse.Error("unexpected", "the supervisor should not see this request"));
        });

        var answer = await ExchangeAsync(server.SocketPath, line);

        var response = Assert.IsType<ControlResponse.Error>(Assert.Single(answer));
        Assert.Equal(code, response.Code);
        Assert.Equal(0, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task ValidRequest_ReachesTheHandler()
    {
        using var directory = new TempDirectory("roost-ctl");
        using var server = ControlServer.Start("fuzz", Path.Combine(directory.Path, "run"), NullLogger.Instance, (request, session) =>
            session.Complete(new ControlResponse.Result(request.GetType().Name.ToLowerInvariant(), "done", true)));

        var answer = await ExchangeAsync(server.SocketPath, "{\"v\":1,\"type\":\"status\"}");

        Assert.Equal("status", Assert.IsType<ControlResponse.Result>(Assert.Single(answer)).Operation);
    }

    /// <summary>Sends one line and reads every answer line until the server closes the connection.</summary>
    private static async Task<List<ControlResponse>> ExchangeAsync(string socketPath, string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None, timeout.Token);

        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        List<ControlResponse> answer = [];
        try
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } text)
            {
                answer.Add(JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlResponse)!);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No end of answer within {AnswerTimeout.TotalSeconds} s for '{line}' (lines so far: {answer.Count}).");
        }

        return answer;
    }
}
