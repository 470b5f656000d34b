using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// One worker's counters in a small shared-memory file: the worker adds to them as requests and connections finish,
/// the primary reads them whenever it needs a snapshot. Nothing is sent per request, and a worker that is killed
/// (<c>kill -9</c>) leaves its counts behind: the primary still reads them after the process is gone, so the
/// cluster's totals lose only the requests that were in flight (the idea of prometheus_client's multiprocess mode).
/// </summary>
/// <remarks>
/// Layout: <see cref="Length"/> 64-bit slots, native endianness (both processes run on one machine); counters only
/// grow, gauges go up and down. Writers use <see cref="Interlocked"/> on aligned slots, so a reader sees each value
/// whole. The file lives on tmpfs (<c>/dev/shm</c>) and is unlinked once both sides mapped it (or the worker is gone).
/// </remarks>
internal sealed unsafe class MetricsBlock : IDisposable
{
    /// <summary>Upper bounds (seconds) of the request-duration buckets: OpenTelemetry's advice for <c>http.server.request.duration</c>.</summary>
    public static readonly double[] DurationBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Bucket count (the bounds plus +Inf).</summary>
    public static readonly int BucketCount = DurationBounds.Length + 1;

    /// <summary>The first TLS handshake bucket count slot (<c>kestrel.tls_handshake.duration</c>, the same bounds as the requests'); the sums follow the counts.</summary>
    public static readonly int FirstTlsBucket = FirstBucket + (2 * BucketCount);

    /// <summary>Slots: 32 scalar slots, then one count and one sum (nanoseconds) per request-duration bucket, then the same for TLS handshakes.</summary>
    /// <remarks>Declared after <see cref="FirstTlsBucket"/>: static fields initialize in declaration order.</remarks>
    public static readonly int Length = FirstTlsBucket + (2 * BucketCount);

    private const long Magic = 0x31_53_43_49_52_54_45_4D; // "METRICS1"

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _slots;
    private int _disposed;

    private MetricsBlock(MemoryMappedFile file, MemoryMappedViewAccessor view, string path)
    {
        _file = file;
        _view = view;
        Path = path;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _slots = (long*)(pointer + _view.PointerOffset);
    }

    /// <summary>Gets the file's path (for the worker's environment).</summary>
    public string Path { get; }

    /// <summary>Gets a value indicating whether the file still carries the layout's marker.</summary>
    public bool IsValid => Volatile.Read(ref _slots[0]) == Magic;

    /// <summary>Creates a zeroed block for a new worker; the file is readable and writable by this user only.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    public static MetricsBlock Create(int workerId)
    {
        var folder = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(folder, $"roost-metrics-{Environment.ProcessId}-{workerId}-{Guid.NewGuid():N}");
        var bytes = Length * sizeof(long);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            // The counts are this user's business only (mode 0600, like the control socket).
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, fileOptions))
        {
            stream.SetLength(bytes);
        }

        var block = Open(path);
        Volatile.Write(ref block._slots[0], Magic);
        return block;
    }

    /// <summary>Maps an existing block (the worker's side).</summary>
    /// <exception cref="IOException">The file is gone or too short.</exception>
    public static MetricsBlock Open(string path)
    {
        var bytes = Length * sizeof(long);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, bytes, MemoryMappedFileAccess.ReadWrite);
        try
        {
            var view = file.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.ReadWrite);
            return new MetricsBlock(file, view, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Removes the file's name; both mappings stay valid.</summary>
    public void Unlink()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone, or its folder is not ours any more: the mapping is all that is used from here on.
        }
    }

    /// <summary>Adds <paramref name="value"/> to a slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot, long value) => Interlocked.Add(ref _slots[slot], value);

    /// <summary>Adds one to a slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(int slot) => Interlocked.Increment(ref _slots[slot]);

    /// <summary>Sets a gauge slot.</summary>
    public void Set(int slot, long value) => Volatile.Write(ref _slots[slot], value);

    /// <summary>Reads a slot.</summary>
    public long Read(int slot) => Volatile.Read(ref _slots[slot]);

    /// <summary>Counts one finished request of <paramref name="seconds"/> in its duration bucket.</summary>
    public void RecordDuration(double seconds)
    {
        var bucket = BucketOf(seconds);
        Interlocked.Increment(ref _slots[FirstBucket + bucket]);
        Interlocked.Add(ref _slots[FirstBucket + BucketCount + bucket], (long)(seconds * 1e9));
    }

    /// <summary>Counts one finished TLS handshake of <paramref name="seconds"/> in its duration bucket.</summary>
    public void RecordTlsHandshake(double seconds)
    {
        var bucket = BucketOf(seconds);
        Interlocked.Increment(ref _slots[FirstTlsBucket + bucket]);
        Interlocked.Add(ref _slots[FirstTlsBucket + BucketCount + bucket], (long)(seconds * 1e9));
    }

    /// <summary>Copies every slot (one consistent-enough read: each value is whole, the set is not atomic).</summary>
    public long[] ReadAll()
    {
        var values = new long[Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Volatile.Read(ref _slots[i]);
        }

        return values;
    }

    /// <summary>The bucket of a duration: the first whose upper bound is at least <paramref name="seconds"/> (Prometheus' <c>le</c>).</summary>
    public static int BucketOf(double seconds)
    {
        var bounds = DurationBounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (seconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>The slots of the layout (index into the block).</summary>
    public static class Slots
    {
        /// <summary>The layout marker.</summary>
        public const int Marker = 0;

        /// <summary>Requests finished (<c>http.server.request.duration</c> measurements).</summary>
        public const int Requests = 1;

        /// <summary>Requests finished over HTTP/1.x.</summary>
        public const int RequestsHttp1 = 2;

        /// <summary>Requests finished over HTTP/2.</summary>
        public const int RequestsHttp2 = 3;

        /// <summary>Requests finished with a 5xx status.</summary>
        public const int Responses5xx = 4;

        /// <summary>Requests in flight (<c>http.server.active_requests</c>), a gauge.</summary>
        public const int ActiveRequests = 5;

        /// <summary>Open connections (<c>kestrel.active_connections</c>), a gauge.</summary>
        public const int ActiveConnections = 6;

        /// <summary>TLS handshakes finished (<c>kestrel.tls_handshake.duration</c> measurements).</summary>
        public const int TlsHandshakes = 7;

        /// <summary>TLS handshakes that failed (those measurements with <c>error.type</c>).</summary>
        public const int TlsHandshakesFailed = 8;

        /// <summary>Connections Kestrel refused over its limit (<c>kestrel.rejected_connections</c>).</summary>
        public const int RejectedConnections = 9;

        /// <summary>Requests finished after the worker started to drain.</summary>
        public const int RequestsDrained = 10;

        /// <summary>Connections opened (<c>kestrel.connection.duration</c> is recorded at close; this counts the opens).</summary>
        public const int Connections = 11;

        /// <summary>Requests finished with a 4xx status.</summary>
        public const int Responses4xx = 13;

        /// <summary>Whether the worker counts (0 in an unpromoted hot spare).</summary>
        public const int Counting = 14;

        /// <summary>Garbage collections of generation 0 (<c>dotnet.gc.collections</c>); 1 and 2 follow.</summary>
        public const int GcCollections0 = 15;

        /// <summary>Generation 1 collections.</summary>
        public const int GcCollections1 = 16;

        /// <summary>Generation 2 collections.</summary>
        public const int GcCollections2 = 17;

        /// <summary>Bytes allocated on the GC heap (<c>dotnet.gc.heap.total_allocated</c>).</summary>
        public const int GcAllocatedBytes = 18;

        /// <summary>Thread-pool threads (<c>dotnet.thread_pool.thread.count</c>), a gauge.</summary>
        public const int ThreadPoolThreads = 19;

        /// <summary>Work items queued (<c>dotnet.thread_pool.queue.length</c>), a gauge.</summary>
        public const int ThreadPoolQueueLength = 20;

        /// <summary>Work items completed (<c>dotnet.thread_pool.work_item.count</c>).</summary>
        public const int ThreadPoolWorkItems = 21;

        /// <summary>Exceptions thrown (<c>dotnet.exceptions</c>).</summary>
        public const int Exceptions = 22;

        /// <summary>GC heap size after the last collection (<c>dotnet.gc.last_collection.heap.size</c>), a gauge.</summary>
        public const int GcHeapBytes = 23;

        /// <summary>Lock contentions (<c>dotnet.monitor.lock_contentions</c>).</summary>
        public const int LockContentions = 24;
    }

    /// <summary>The first bucket count slot; the bucket sums follow the counts.</summary>
    public const int FirstBucket = 32;
}
