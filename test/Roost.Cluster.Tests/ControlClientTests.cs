using System.Net.Sockets;
using System.Text;
using Roost.Control;
using Roost.Testing;

namespace Roost.Cluster.Tests;

/// <summary>ControlClient against a real unix socket whose peer answers what the test writes (no primary).</summary>
public sealed class ControlClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Verifies that a reply line that is not a control response (not JSON, or JSON of an unknown type) ends the
    /// call with an InvalidDataException naming the socket path and the line, not a JsonException that says
    /// neither (before: the CLI reported "closed the control connection before it answered" or crashed).
    /// </summary>
    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"type\":\"no-such-reply\"}")]
    public async Task GetStatus_MalformedReply_IsAClearErrorNamingTheSocket(string reply)
    {
        using var directory = new TempDirectory("roost-ctl-client");
        var client = new ControlClient(directory.Path);
        var socketPath = client.SocketPath;
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var ct = TestContext.Current.CancellationToken;
        var peer = Task.Run(() => AnswerOnceAsync(listener, reply, ct), ct);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => client.GetStatusAsync(ct)).WaitAsync(Timeout, ct);
        await peer.WaitAsync(Timeout, ct);

        Assert.Contains($"The primary on the control socket '{socketPath}' sent a reply this roost cannot read", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{reply}'", ex.Message, StringComparison.Ordinal);
    }

    private static async Task AnswerOnceAsync(Socket listener, string reply, CancellationToken ct)
    {
        using var accepted = await listener.AcceptAsync(ct);
        await accepted.SendAsync(Encoding.UTF8.GetBytes(reply + "\n"), ct);
        accepted.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4096];
        while (await accepted.ReceiveAsync(buffer, ct) > 0)
        {
            // Read the request until the client hangs up.
        }
    }
}
