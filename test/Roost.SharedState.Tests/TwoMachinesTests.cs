using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>
/// Two machines, simulated: two Roost clusters on 127.0.0.2 and 127.0.0.3 (same port) behind an nginx round-robin
/// load balancer started by the test, sharing one Redis. A session made through one instance is read and updated
/// through the other; stopping one instance (SIGTERM) loses no session.
/// </summary>
[Trait("Category", "Slow")]
public sealed class TwoMachinesTests
{
    private const int SigTerm = 15;

    [Fact]
    public async Task Session_BehindNginxOverTwoInstances_ContinuesAcrossInstancesAndAfterOneStops()
    {
        var nginxPath = ExternalTool.Require("nginx", "nginx-light");
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory("roost-two-machines");
        var port = FreePort.Get();
        await using var first = await ClusterStateHost.StartAsync(2, dir.File("a"), redis.Address, address: "127.0.0.2", port: port);
        await using var second = await ClusterStateHost.StartAsync(2, dir.File("b"), redis.Address, address: "127.0.0.3", port: port);
        var balancerPort = FreePort.Get();
        await using var nginx = await StartNginxAsync(nginxPath, dir, balancerPort, port);
        using var client = StateHost.ClientWithCookieJar();
        var url = new Uri($"http://127.0.0.1:{balancerPort}/visit");

        var answers = new List<(string Value, int Pid)>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add(StateHost.Parse(await client.GetStringAsync(url, TestContext.Current.CancellationToken)));
        }

        // 1..10 without a gap while round robin alternates the instances: each reads what the other wrote.
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), answers.Select(a => a.Value));
        Assert.Contains(answers, a => first.ForkedPids.Contains(a.Pid));
        Assert.Contains(answers, a => second.ForkedPids.Contains(a.Pid));

        first.Process.Signal(SigTerm);
        Assert.Equal(0, await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        for (var i = 11; i <= 20; i++)
        {
            var (value, pid) = StateHost.Parse(await client.GetStringAsync(url, TestContext.Current.CancellationToken));
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), value);
            Assert.Contains(pid, second.ForkedPids);
        }

        Assert.False(nginx.HasExited);
    }

    private static async Task<TestProcess> StartNginxAsync(string nginxPath, TempDirectory dir, int listenPort, int upstreamPort)
    {
        var prefix = dir.File("nginx");
        Directory.CreateDirectory(prefix);
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(prefix, temp));
        }

        // Round robin over the two "machines"; a refused connection (the stopped instance) goes to the next one.
        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            {{user}}
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                upstream roost {
                    server 127.0.0.2:{{upstreamPort}} max_fails=1 fail_timeout=10s;
                    server 127.0.0.3:{{upstreamPort}} max_fails=1 fail_timeout=10s;
                }
                server {
                    listen 127.0.0.1:{{listenPort}};
                    location / {
                        proxy_pass http://roost;
                        proxy_next_upstream error timeout;
                    }
                }
            }
            """, TestContext.Current.CancellationToken);
        var nginx = TestProcess.Start(nginxPath, ["-p", prefix, "-c", config, "-g", "daemon off;"], name: "nginx");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, listenPort, TestContext.Current.CancellationToken);
                return nginx;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !nginx.HasExited)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            catch
            {
                var log = Path.Combine(prefix, "error.log");
                await nginx.DisposeAsync();
                throw new InvalidOperationException($"nginx did not listen on 127.0.0.1:{listenPort}. Output:\n{nginx.Output}\nerror.log:\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "(none)")}");
            }
        }
    }
}
