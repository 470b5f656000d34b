using System.Net;
using System.Net.Sockets;
using System.Text;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Cluster.Tests;

/// <summary>IpcChannel over a real socketpair: messages both ways, descriptor passing (SCM_RIGHTS), bad lines dropped, end-of-file.</summary>
public sealed class IpcChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Send_ListenResponseWithADescriptor_ArrivesWithAWorkingCopy()
    {
        SkipUnlessLinux();
        var (a, b) = Libc.CreateSocketPair();
        using var primary = new IpcChannel(a, IpcCodec.DefaultMaxMessageBytes, "test-primary");
        using var worker = new IpcChannel(b, IpcCodec.DefaultMaxMessageBytes, "test-worker");
        var received = new TaskCompletionSource<(IpcMessage Message, int Handle)>(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.MessageReceived += m => received.TrySetResult((m, worker.TakeReceivedHandle()));
        worker.Start();
        primary.Start();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();

        Assert.True(primary.Send(new ListenResponseMessage(7, true, null), (int)listener.Handle));
        var (message, handle) = await received.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(new ListenResponseMessage(7, true, null), message);
        Assert.True(handle >= 0);
        Assert.NotEqual((int)listener.Handle, handle);
        using var copy = new Socket(new SafeSocketHandle(handle, ownsHandle: true));
        Assert.Equal(listener.LocalEndPoint, copy.LocalEndPoint);
    }

    [Fact]
    public async Task Receive_MalformedAndOversizedLines_AreRejectedAndTheNextMessageArrives()
    {
        SkipUnlessLinux();
        var (a, b) = Libc.CreateSocketPair();
        using var sender = new IpcChannel(a, IpcCodec.DefaultMaxMessageBytes, "test-sender");
        using var receiver = new IpcChannel(b, maxMessageBytes: 4096, "test-receiver");
        var rejected = new List<string>();
        var good = new TaskCompletionSource<IpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.MessageRejected += (reason, _) =>
        {
            lock (rejected)
            {
                rejected.Add(reason);
            }
        };
        receiver.MessageReceived += m => good.TrySetResult(m);
        receiver.Start();

        sender.SendRaw(Encoding.UTF8.GetBytes("garbage\n{\"type\":\"nope\"}\n" + new string('x', 10_000) + "\n"));
        sender.Send(new HeartbeatMessage(1));
        var message = await good.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(new HeartbeatMessage(1), message);
        lock (rejected)
        {
            Assert.Equal(3, rejected.Count);
            Assert.Contains(rejected, r => r.Contains("more than the limit of 4096 bytes", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task PeerDisposed_RaisesClosedOnce_AndSendReturnsFalse()
    {
        SkipUnlessLinux();
        var (a, b) = Libc.CreateSocketPair();
        var peer = new IpcChannel(a, IpcCodec.DefaultMaxMessageBytes, "test-peer");
        using var channel = new IpcChannel(b, IpcCodec.DefaultMaxMessageBytes, "test-channel");
        var closed = 0;
        var closedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Closed += () =>
        {
            Interlocked.Increment(ref closed);
            closedOnce.TrySetResult();
        };
        channel.Start();

        peer.Dispose();
        await closedOnce.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.False(channel.Send(new HeartbeatMessage(2)));
        Assert.Equal(1, Volatile.Read(ref closed));
    }

    private static void SkipUnlessLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("socketpair/SCM_RIGHTS layout is Linux-specific.");
        }
    }
}
