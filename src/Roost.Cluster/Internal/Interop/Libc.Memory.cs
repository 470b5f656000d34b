using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>glibc's malloc_trim, for the idle-memory trim of workers (IdleMemoryTrimmer).</summary>
internal static partial class Libc
{
    /// <summary>
    /// Returns the free pages of every malloc arena to the kernel (glibc ≥ 2.8; madvise(MADV_DONTNEED) on whole free
    /// pages); 1 when memory was released. Not in musl: the caller catches <see cref="EntryPointNotFoundException"/>.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);
}
