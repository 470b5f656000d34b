using System.Globalization;

namespace Roost.Benchmarks.Load;

/// <summary>
/// Command line of a load-benchmark contender (RawKestrel, FacadeSeed), shared so both parse it the same way:
/// <c>--h1-tls PORT</c> (HTTP/1.1 over TLS), <c>--h2-tls PORT</c> (HTTP/2 over TLS, ALPN h2),
/// <c>--h1 PORT</c> (cleartext HTTP/1.1), <c>--cert FILE --key FILE [--ca FILE]...</c>, <c>--mode NAME</c>,
/// <c>--static FILE</c> (served at <see cref="StaticPath"/>), <c>--workers N|auto</c> and <c>--sharing NAME</c> (Roost cluster).
/// Every listener binds 127.0.0.1 only: benchmark traffic stays on loopback.
/// </summary>
internal sealed class ContenderOptions
{
    /// <summary>The seed handler's response body, as the study note's programs send it.</summary>
    public const string SeedBody = "<h1>hello Node</h1><p>hello server!</p>";

    /// <summary>The URL path the <c>--static</c> file is served at; every other path gets the seed body.</summary>
    public const string StaticPath = "/static/100k.bin";

    public int H1TlsPort { get; private set; }

    public int H2TlsPort { get; private set; }

    public int H1Port { get; private set; }

    public string? Cert { get; private set; }

    public string? Key { get; private set; }

    public List<string> Ca { get; } = [];

    public string? Mode { get; private set; }

    /// <summary>A file served at <see cref="StaticPath"/> (the static-file scenario), or null.</summary>
    public string? StaticFile { get; private set; }

    /// <summary>Cluster workers (0: one process, no cluster); <c>auto</c> is one per CPU.</summary>
    public int Workers { get; private set; }

    /// <summary>Cluster listener sharing: auto, reuseport, handoff or shared.</summary>
    public string Sharing { get; private set; } = "auto";

    public bool NeedsTls => H1TlsPort > 0 || H2TlsPort > 0;

    /// <summary>
    /// Prints, when the process exits, what the GC saw over its whole life: bytes allocated and collections. Divided
    /// by the requests served it gives allocations per request, which unlike req/s does not depend on other load.
    /// </summary>
    public static void ReportAllocationsAtExit() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gc: allocated {GC.GetTotalAllocatedBytes()} bytes, collections gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}"));

    public static ContenderOptions Parse(string[] args)
    {
        var options = new ContenderOptions { Mode = Environment.GetEnvironmentVariable("BENCH_MODE") };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw Usage($"'{name}' needs a value.");
            switch (name)
            {
                case "--h1-tls": options.H1TlsPort = ParsePort(name, value); break;
                case "--h2-tls": options.H2TlsPort = ParsePort(name, value); break;
                case "--h1": options.H1Port = ParsePort(name, value); break;
                case "--cert": options.Cert = value; break;
                case "--key": options.Key = value; break;
                case "--ca": options.Ca.Add(value); break;
                case "--mode": options.Mode = value; break;
                case "--static": options.StaticFile = value; break;
                case "--workers": options.Workers = value == "auto" ? Environment.ProcessorCount : ParseCount(name, value); break;
                case "--sharing":
                    options.Sharing = value is "auto" or "reuseport" or "handoff" or "shared"
                        ? value
                        : throw Usage($"'--sharing' must be auto, reuseport, handoff or shared; got '{value}'.");
                    break;
                default: throw Usage($"unknown option '{name}'.");
            }
        }

        if (options.H1TlsPort == 0 && options.H2TlsPort == 0 && options.H1Port == 0)
        {
            throw Usage("give at least one of --h1-tls, --h2-tls, --h1.");
        }

        if (options.NeedsTls && (options.Cert is null || options.Key is null))
        {
            throw Usage("TLS listeners need --cert and --key.");
        }

        return options;
    }

    /// <summary>For the ready line, e.g. <c>h1-tls 127.0.0.1:9001, h1 127.0.0.1:9003</c>.</summary>
    public string Describe() => string.Join(", ",
        new[] { Listener(H1TlsPort, "h1-tls"), Listener(H2TlsPort, "h2-tls"), Listener(H1Port, "h1") }.Where(s => s.Length > 0));

    private static string Listener(int port, string name) =>
        port > 0 ? $"{name} 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" : string.Empty;

    private static int ParsePort(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw Usage($"'{name}' must be a port between 1 and 65535; got '{value}'.");

    private static int ParseCount(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 0 and <= 64
            ? count
            : throw Usage($"'{name}' must be auto or a number of workers between 0 and 64; got '{value}'.");

    private static ArgumentException Usage(string problem) => new(
        $"{problem} Usage: --h1-tls PORT --h2-tls PORT --h1 PORT --cert FILE --key FILE [--ca FILE]... [--mode NAME] [--static FILE] [--workers N|auto] [--sharing auto|reuseport|handoff|shared]");
}
