using System.Globalization;
using Roost;

// Roost.TestHost: what tests cannot do inside the test process (run as another user, receive SIGTERM).
//   listen <host> <port>  try to listen; print "listening <port>" or "<ExceptionType>: <message>", then close
//   serve                 cleartext server on 127.0.0.1:0; GET /slow answers after 2 s; exits after SIGINT/SIGTERM
// Exit codes: 0 ok, 2 usage, 3 ListenException, 4 any other exception.
return args switch
{
    ["listen", var host, var port] => await ListenAsync(host, int.Parse(port, CultureInfo.InvariantCulture)),
    ["serve"] => await ServeAsync(),
    _ => Usage(),
};

static async Task<int> ListenAsync(string host, int port)
{
    await using var server = Http.CreateServer(new ServerOptions { HandleShutdownSignals = false }, (req, res) => res.End("ok"));
    try
    {
        await server.ListenAsync(port, host);
    }
    catch (ListenException ex)
    {
        Console.WriteLine($"{nameof(ListenException)}: {ex.Message}");
        return 3;
    }
    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
    {
        Console.WriteLine($"{ex.GetType().Name}: {ex.Message}");
        return 4;
    }

    Console.WriteLine($"listening {server.Port}");
    return 0;
}

static async Task<int> ServeAsync()
{
    await using var server = Http.CreateServer(new ServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(20) }, async (req, res) =>
    {
        if (req.Path == "/slow")
        {
            Console.WriteLine("request /slow started");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await res.EndAsync("slow done");
            return;
        }

        await res.EndAsync("ok");
    });
    await server.ListenAsync(0, "127.0.0.1");
    Console.WriteLine($"listening {server.Port}");
    await server.WaitForShutdownAsync();
    Console.WriteLine("shut down");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Roost.TestHost listen <host> <port> | serve");
    return 2;
}
