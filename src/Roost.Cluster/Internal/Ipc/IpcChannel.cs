using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// One end of a worker's control socketpair. A dedicated background thread reads with <c>recvmsg</c> (so descriptors
/// passed with SCM_RIGHTS arrive with the bytes) and hands each message to the callbacks; sending is thread-safe.
/// </summary>
/// <remarks>
/// Lifetime: <see cref="Start"/> starts the reader; <see cref="Dispose"/> shuts the socket down (which wakes the
/// reader with end-of-file) and the reader closes the descriptor when it leaves, so the number is never reused while
/// a call still uses it. The peer closing its end (its process exited) raises <see cref="Closed"/> once.
/// </remarks>
internal sealed unsafe class IpcChannel : IDisposable
{
    private const int ReadBufferBytes = 64 * 1024;

    // Room for a few descriptors per recvmsg: CMSG_SPACE(4 * sizeof(int)) on 64-bit Linux.
    private const int ControlBufferBytes = 64;

    private readonly int _fd;
    private readonly Lock _sendGate = new();
    private readonly ConcurrentQueue<int> _receivedHandles = new();
    private readonly IpcFrameReader _frames;
    private readonly string _name;
    private Thread? _reader;
    private int _disposed;
    private bool _fdClosed;

    public IpcChannel(int fd, int maxMessageBytes, string name)
    {
        _fd = fd;
        _frames = new IpcFrameReader(maxMessageBytes);
        _name = name;
    }

    /// <summary>A message arrived (reader thread).</summary>
    public event Action<IpcMessage>? MessageReceived;

    /// <summary>A line was dropped: the reason (malformed JSON, unknown type, oversized) and the line's length.</summary>
    public event Action<string, long>? MessageRejected;

    /// <summary>The peer closed its end, or the channel was disposed (reader thread, once).</summary>
    public event Action? Closed;

    public int Handle => _fd;

    /// <summary>Gets a value indicating whether the channel can still send and receive (not disposed, peer not gone).</summary>
    public bool IsOpen => Volatile.Read(ref _disposed) == 0;

    public void Start()
    {
        _reader = new Thread(ReadLoop, maxStackSize: 256 * 1024) { IsBackground = true, Name = _name };
        _reader.Start();
    }

    /// <summary>Takes the next descriptor that arrived with SCM_RIGHTS, or -1.</summary>
    public int TakeReceivedHandle() => _receivedHandles.TryDequeue(out var fd) ? fd : -1;

    /// <summary>Sends <paramref name="message"/>; with <paramref name="handle"/> ≥ 0 that descriptor is passed along (SCM_RIGHTS).</summary>
    /// <returns><see langword="false"/> when the peer is gone.</returns>
    public bool Send(IpcMessage message, int handle = -1)
    {
        var line = IpcCodec.Encode(message);
        lock (_sendGate)
        {
            if (Volatile.Read(ref _disposed) != 0 || _fdClosed)
            {
                return false;
            }

            var offset = 0;
            while (offset < line.Length)
            {
                // The descriptor goes with the first chunk only; the receiver queues it before the line completes.
                var sent = SendChunk(line.AsSpan(offset), offset == 0 ? handle : -1);
                if (sent < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Libc.Eintr or Libc.Eagain)
                    {
                        continue;
                    }

                    return false;
                }

                offset += (int)sent;
            }

            return true;
        }
    }

    /// <summary>Writes bytes as they are, without framing (tests use it to send malformed lines).</summary>
    public void SendRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_sendGate)
        {
            var offset = 0;
            while (offset < bytes.Length && Volatile.Read(ref _disposed) == 0)
            {
                var sent = SendChunk(bytes[offset..], -1);
                if (sent <= 0)
                {
                    return;
                }

                offset += (int)sent;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // shutdown() wakes a recvmsg blocked on the other thread; the reader closes the descriptor itself. Both
        // happen under the send lock and only while the descriptor is still ours: a closed number may already
        // belong to another worker's channel.
        lock (_sendGate)
        {
            if (!_fdClosed)
            {
                _ = Libc.Shutdown(_fd, Libc.ShutRdwr);
                if (_reader is null)
                {
                    _ = Libc.Close(_fd);
                    _fdClosed = true;
                }
            }
        }
    }

    private nint SendChunk(ReadOnlySpan<byte> data, int handle)
    {
        fixed (byte* bytes = data)
        {
            var iov = new Libc.IoVec { Base = bytes, Length = (nuint)data.Length };
            var header = new Libc.MsgHdr { Iov = &iov, IovLength = 1 };
            var control = stackalloc byte[ControlBufferBytes];
            if (handle >= 0)
            {
                var cmsg = (Libc.CmsgHdr*)control;
                cmsg->Length = (nuint)(sizeof(Libc.CmsgHdr) + sizeof(int));
                cmsg->Level = Libc.SolSocket;
                cmsg->Type = Libc.ScmRights;
                *(int*)(control + sizeof(Libc.CmsgHdr)) = handle;
                header.Control = control;
                header.ControlLength = (nuint)(sizeof(Libc.CmsgHdr) + 8);
            }

            return Libc.SendMsg(_fd, &header, Libc.MsgNosignal);
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[ReadBufferBytes];
        var frames = new List<IpcFrameReader.Frame>();
        var control = new byte[ControlBufferBytes];
        try
        {
            while (true)
            {
                var read = Receive(buffer, control);
                if (read <= 0)
                {
                    return;
                }

                frames.Clear();
                _frames.Feed(buffer.AsSpan(0, (int)read), frames);
                foreach (var frame in frames)
                {
                    Dispatch(frame);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
            lock (_sendGate)
            {
                _ = Libc.Close(_fd);
                _fdClosed = true;
            }

            while (_receivedHandles.TryDequeue(out var unclaimed))
            {
                _ = Libc.Close(unclaimed);
            }

            Closed?.Invoke();
        }
    }

    private void Dispatch(IpcFrameReader.Frame frame)
    {
        if (frame.Oversized)
        {
            MessageRejected?.Invoke($"the message is {frame.Length} bytes, more than the limit of {_frames.MaxMessageBytes} bytes", frame.Length);
            return;
        }

        if (IpcCodec.TryDecode(frame.Line, out var message, out var error))
        {
            MessageReceived?.Invoke(message!);
        }
        else
        {
            MessageRejected?.Invoke(error!, frame.Length);
        }
    }

    private nint Receive(byte[] buffer, byte[] controlBuffer)
    {
        while (true)
        {
            nint read;
            fixed (byte* bytes = buffer)
            fixed (byte* control = controlBuffer)
            {
                var iov = new Libc.IoVec { Base = bytes, Length = (nuint)buffer.Length };
                var header = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlBuffer.Length };
                read = Libc.RecvMsg(_fd, &header, 0);
                if (read > 0 && header.ControlLength >= (nuint)sizeof(Libc.CmsgHdr))
                {
                    CollectHandles(control, (int)header.ControlLength);
                }
            }

            if (read < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr)
            {
                continue;
            }

            return read;
        }
    }

    private void CollectHandles(byte* control, int length)
    {
        var offset = 0;
        while (offset + sizeof(Libc.CmsgHdr) <= length)
        {
            var cmsg = (Libc.CmsgHdr*)(control + offset);
            var cmsgLength = (int)cmsg->Length;
            if (cmsgLength < sizeof(Libc.CmsgHdr))
            {
                return;
            }

            if (cmsg->Level == Libc.SolSocket && cmsg->Type == Libc.ScmRights)
            {
                var count = (cmsgLength - sizeof(Libc.CmsgHdr)) / sizeof(int);
                var fds = (int*)(control + offset + sizeof(Libc.CmsgHdr));
                for (var i = 0; i < count; i++)
                {
                    _receivedHandles.Enqueue(fds[i]);
                }
            }

            // CMSG_NXTHDR: advance by the length rounded up to the 8-byte alignment of 64-bit Linux.
            offset += (cmsgLength + 7) & ~7;
        }
    }
}
