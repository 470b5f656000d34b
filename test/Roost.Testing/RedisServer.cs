using System.Net.Sockets;

namespace Roost.Testing;

/// <summary>
/// A redis-server of the test's own, on a free loopback port with its data in a temp folder: append-only file with
/// fsync on every write, so a SIGKILL loses nothing and <see cref="StartAsync"/> after <see cref="Kill"/> brings the
/// data back. Killed on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly TempDirectory _directory = new("roost-redis");
    private readonly string _appendFsync;
    private TestProcess? _process;

    private RedisServer(string executable, string appendFsync)
    {
        _executable = executable;
        _appendFsync = appendFsync;
        Port = FreePort.Get();
    }

    public int Port { get; }

    /// <summary>The address in the form Roost's options take.</summary>
    public string Address => $"redis://127.0.0.1:{Port}";

    public int? Pid => _process?.Pid;

    /// <summary>Starts redis-server (skips the test, or fails it under CI, when it is not installed).</summary>
    /// <param name="fsyncEveryWrite">
    /// <see langword="true"/> (default): <c>appendfsync always</c>, nothing lost when Redis is SIGKILLed. <see langword="false"/>:
    /// <c>everysec</c>, for tests that never kill Redis and make many writes (an fsync per write is slow on a busy disk).
    /// </param>
    public static async Task<RedisServer> StartNewAsync(bool fsyncEveryWrite = true)
    {
        var server = new RedisServer(ExternalTool.Require("redis-server", "redis-server"), fsyncEveryWrite ? "always" : "everysec");
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        _process = TestProcess.Start(_executable,
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _directory.Path, "--save", "", "--appendonly", "yes", "--appendfsync", _appendFsync,
            "--protected-mode", "yes", "--daemonize", "no",
        ], name: "redis-server");
        await WaitUntilAcceptingAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGKILLs the server (as a crash would).</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Signal(9);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _directory.Dispose();
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
            {
                // Not listening yet, or still loading the append-only file.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {timeout}. Output:\n{_process?.Output}");
            }

            await Task.Delay(50);
        }
    }
}
