namespace Roost.Server.Internal;

/// <summary>
/// Keeps the process alive while a server listens, as a listening socket keeps Node's event loop alive: a
/// foreground thread waits until the server closes or <see cref="HttpServer.Unref"/> is called. So a program can
/// return from <c>Main</c> right after <c>Listen</c>, exactly like the Node programs it is ported from.
/// </summary>
internal sealed class ProcessKeepAlive : IDisposable
{
    private readonly ManualResetEventSlim _released = new();

    public ProcessKeepAlive(string name)
    {
        // A foreground thread is what the runtime waits for before exiting; it only blocks, so a small stack will do.
        var thread = new Thread(static state => ((ManualResetEventSlim)state!).Wait(), maxStackSize: 256 * 1024)
        {
            IsBackground = false,
            Name = name,
        };
        thread.Start(_released);
    }

    public void Dispose() => _released.Set();
}
