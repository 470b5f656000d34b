// Session read+write per request, end to end over loopback HTTP/1.1: each client has its own cookie (its own
// session) and sends GET /visit in a loop; each request loads the session, increments a counter and commits it.
// Contenders run interleaved (round 1: A B C …, round 2: A B C …) so drift on the shared machine hits all alike.
//
//   dotnet run -c Release --project benchmarks/Roost.SessionBenchmark -- [--seconds 5] [--rounds 3] [--clients 16] [--only a,b] [--out FILE]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Roost;
using Roost.SharedState;

var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i].TrimStart('-')] = args[i + 1];
}

var seconds = double.Parse(settings.GetValueOrDefault("seconds", "5"), CultureInfo.InvariantCulture);
var rounds = int.Parse(settings.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture);
var clients = int.Parse(settings.GetValueOrDefault("clients", "16"), CultureInfo.InvariantCulture);
var output = settings.GetValueOrDefault("out");
var only = settings.TryGetValue("only", out var list) ? list.Split(',') : null;

var work = Directory.CreateTempSubdirectory("roost-session-bench-");
Process? redis = null;
var contenders = new List<Contender>();
try
{
    var redisPath = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
    string? redisAddress = null;
    if (redisPath is not null)
    {
        var port = FreePort();
        redis = Process.Start(new ProcessStartInfo(redisPath, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", work.FullName, "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        })!;
        redisAddress = $"redis://127.0.0.1:{port}";
        await Task.Delay(500);
    }
    else
    {
        Console.Error.WriteLine("redis-server not found (apt-get install -y redis-server): Redis rows skipped.");
    }

    contenders.Add(await Contender.AspNetAsync("aspnet-memory", null, null));
    contenders.Add(await Contender.AspNetAsync("aspnet-sqlite", Path.Combine(work.FullName, "aspnet"), null));
    if (redisAddress is not null)
    {
        contenders.Add(await Contender.AspNetAsync("aspnet-redis", Path.Combine(work.FullName, "aspnet-redis"), redisAddress));
    }

    contenders.Add(await Contender.FacadeAsync("facade-sqlite", Path.Combine(work.FullName, "facade"), null));
    if (redisAddress is not null)
    {
        contenders.Add(await Contender.FacadeAsync("facade-redis", Path.Combine(work.FullName, "facade-redis"), redisAddress));
    }

    if (only is not null)
    {
        foreach (var skipped in contenders.Where(c => !only.Contains(c.Name)).ToList())
        {
            await skipped.DisposeAsync();
            contenders.Remove(skipped);
        }
    }

    var results = contenders.ToDictionary(c => c.Name, _ => new List<RoundResult>());
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var contender in contenders)
        {
            await Load.RunAsync(contender.Url, clients, TimeSpan.FromSeconds(1)); // warm-up, discarded
            var result = await Load.RunAsync(contender.Url, clients, TimeSpan.FromSeconds(seconds));
            results[contender.Name].Add(result);
            Console.WriteLine($"round {round} {contender.Name,-14} {result.RequestsPerSecond,9:0} req/s  p50 {result.P50Ms,6:0.000} ms  p99 {result.P99Ms,6:0.000} ms  errors {result.Errors}");
        }
    }

    var report = Report(results, seconds, rounds, clients, args);
    Console.WriteLine();
    Console.WriteLine(report);
    if (output is not null)
    {
        await File.WriteAllTextAsync(output, report);
    }
}
finally
{
    foreach (var contender in contenders)
    {
        var stopping = Stopwatch.StartNew();
        await contender.DisposeAsync();
        Console.Error.WriteLine($"closed {contender.Name} in {stopping.ElapsedMilliseconds} ms");
    }

    if (redis is { HasExited: false })
    {
        redis.Kill();
        await redis.WaitForExitAsync();
    }

    work.Delete(recursive: true);
}

static string Report(Dictionary<string, List<RoundResult>> results, double seconds, int rounds, int clients, string[] args)
{
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"# Session read+write per request ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project benchmarks/Roost.SessionBenchmark -- {string.Join(' ', args)}`");
    text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, load generator in the same process as the servers; {clients} clients (one session each), HTTP/1.1 keep-alive over loopback, {rounds} interleaved rounds of {seconds} s after 1 s warm-up each. Median of the rounds.");
    text.AppendLine();
    text.AppendLine("| contender | req/s | p50 ms | p99 ms | p50 vs aspnet-memory | errors |");
    text.AppendLine("|---|---:|---:|---:|---:|---:|");
    var baseline = results.TryGetValue("aspnet-memory", out var memory) ? Median(memory.Select(r => r.P50Ms)) : double.NaN;
    foreach (var (name, rows) in results)
    {
        var p50 = Median(rows.Select(r => r.P50Ms));
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Median(rows.Select(r => r.RequestsPerSecond)):0} | {p50:0.000} | {Median(rows.Select(r => r.P99Ms)):0.000} | {p50 / baseline:0.00}× | {rows.Sum(r => r.Errors)} |");
    }

    return text.ToString();
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal sealed record RoundResult(double RequestsPerSecond, double P50Ms, double P99Ms, int Errors);

internal static class Load
{
    public static async Task<RoundResult> RunAsync(string url, int clients, TimeSpan duration)
    {
        var latencies = new List<long>[clients];
        var errors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = new List<long>(100_000);
            using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { Timeout = TimeSpan.FromSeconds(30) };
            while (stopwatch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.GetAsync(url);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new RoundResult(all.Length / elapsed, Percentile(0.50), Percentile(0.99), errors);
    }
}

internal sealed class Contender(string name, string url, IAsyncDisposable server) : IAsyncDisposable
{
    public string Name => name;

    public string Url => url;

    public static async Task<Contender> AspNetAsync(string name, string? directory, string? redis)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (directory is null)
        {
            builder.Services.AddDistributedMemoryCache();
        }
        else
        {
            builder.AddRoostSharedState(o =>
            {
                o.Directory = directory;
                o.Redis = redis;
            });
        }

        builder.Services.AddSession();
        var app = builder.Build();
        app.UseSession();
        app.MapGet("/visit", async context =>
        {
            var session = await context.LoadSessionAsync();
            var visits = (session.GetInt32("visits") ?? 0) + 1;
            session.SetInt32("visits", visits);
            await session.CommitAsync();
            await context.Response.WriteAsync(visits.ToString(CultureInfo.InvariantCulture));
        });
        await app.StartAsync();
        return new Contender(name, app.Urls.First() + "/visit", app);
    }

    public static async Task<Contender> FacadeAsync(string name, string directory, string? redis)
    {
        var options = new ServerOptions { HandleShutdownSignals = false }.UseSharedState(o =>
        {
            o.Directory = directory;
            o.Redis = redis;
        });
        var server = Http.CreateServer(options, async (req, res) =>
        {
            var session = await req.GetSessionAsync();
            await res.EndAsync((await session.IncrementAsync("visits")).ToString(CultureInfo.InvariantCulture));
        });
        await server.ListenAsync(0, "127.0.0.1");
        return new Contender(name, $"http://127.0.0.1:{server.LocalEndPoint!.Port}/visit", server);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
