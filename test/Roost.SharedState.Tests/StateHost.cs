using System.Globalization;
using System.Net;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>One Roost.StateTestHost process (mode <c>facade</c> or <c>aspnet</c>) on a loopback port, killed on dispose.</summary>
internal sealed class StateHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private StateHost(TestProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public TestProcess Process { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public static async Task<StateHost> StartAsync(string mode, string stateDirectory, string? redis = null, int? idleMilliseconds = null)
    {
        List<string> arguments = ["--mode", mode, "--port", "0", "--dir", stateDirectory];
        if (redis is not null)
        {
            arguments.AddRange(["--redis", redis]);
        }

        if (idleMilliseconds is { } idle)
        {
            arguments.AddRange(["--idle-ms", idle.ToString(CultureInfo.InvariantCulture)]);
        }

        var process = TestProcess.StartDotnet(RepoPaths.ProjectDll("test", "Roost.StateTestHost"), arguments, name: $"{mode}-host");
        try
        {
            var ready = await process.WaitForLineAsync(line => line.StartsWith("READY ", StringComparison.Ordinal), StartTimeout);
            return new StateHost(process, int.Parse(ready.Split(' ')[1], CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public static async Task<StateHost[]> StartManyAsync(int count, string mode, string stateDirectory, string? redis = null)
    {
        // Started together, as a primary starts its workers.
        return await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartAsync(mode, stateDirectory, redis)));
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>A client with one cookie jar (cookies for 127.0.0.1 are sent to every port, as a browser would).</summary>
    public static HttpClient ClientWithCookieJar(CookieContainer? jar = null) => new(new SocketsHttpHandler
    {
        CookieContainer = jar ?? new CookieContainer(),
        UseCookies = true,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Parses "&lt;value&gt; &lt;pid&gt;".</summary>
    public static (string Value, int Pid) Parse(string body)
    {
        var parts = body.Trim().Split(' ');
        return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
