using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>Calls for live scaling (reuseport steering) and the control socket (peer credentials).</summary>
internal static unsafe partial class Libc
{
    public const int SoPeerCred = 17;
    public const int SoAttachReusePortCbpf = 51;

    // Classic BPF opcodes (linux/filter.h) and the "random" ancillary load (SKF_AD_OFF + SKF_AD_RANDOM).
    private const ushort BpfLdWAbs = 0x20;
    private const ushort BpfAluModK = 0x94;
    private const ushort BpfJmpJeqK = 0x15;
    private const ushort BpfRetK = 0x06;
    private const uint SkfAdRandom = unchecked((uint)(-0x1000 + 56));

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue;
        public byte JumpFalse;
        public uint K;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary>
    /// Attaches to <paramref name="fd"/>'s reuseport group a program that sends each new connection to a random one
    /// of the sockets at <paramref name="indices"/> (positions in the group, i.e. bind order).
    /// </summary>
    /// <exception cref="IOException">setsockopt failed.</exception>
    public static void AttachReusePortSelector(int fd, IReadOnlyList<int> indices)
    {
        // ld random; mod #n; then for each j: jeq #j → ret #indices[j]; fallback ret #indices[0]. At most 2·1024+3
        // instructions, below the kernel's 4096.
        var length = 3 + (2 * indices.Count);
        var program = new SockFilter[length];
        program[0] = new SockFilter { Code = BpfLdWAbs, K = SkfAdRandom };
        program[1] = new SockFilter { Code = BpfAluModK, K = (uint)indices.Count };
        for (var j = 0; j < indices.Count; j++)
        {
            program[2 + (2 * j)] = new SockFilter { Code = BpfJmpJeqK, JumpTrue = 0, JumpFalse = 1, K = (uint)j };
            program[3 + (2 * j)] = new SockFilter { Code = BpfRetK, K = (uint)indices[j] };
        }

        program[length - 1] = new SockFilter { Code = BpfRetK, K = (uint)indices[0] };
        fixed (SockFilter* filter = program)
        {
            var fprog = new SockFprog { Length = (ushort)length, Filter = filter };
            if (SetSockOpt(fd, SolSocket, SoAttachReusePortCbpf, &fprog, (uint)sizeof(SockFprog)) != 0)
            {
                throw new IOException($"setsockopt(SO_ATTACH_REUSEPORT_CBPF) on fd {fd} failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }
    }

    /// <summary>Returns the owner uid of <paramref name="path"/> (stat(2); struct stat of 64-bit Linux: st_uid at 28 on x64, 24 on arm64).</summary>
    /// <exception cref="IOException">stat failed.</exception>
    public static uint StatOwner(string path)
    {
        var buffer = stackalloc byte[256];
        if (Stat(path, buffer) != 0)
        {
            throw new IOException($"stat('{path}') failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        var offset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 24 : 28;
        return *(uint*)(buffer + offset);
    }
}
