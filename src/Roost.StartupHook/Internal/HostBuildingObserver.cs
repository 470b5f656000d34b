using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Roost.StartupHook.Internal;

/// <summary>
/// Waits for the app's host to be built — the "HostBuilding" event of the "Microsoft.Extensions.Hosting" diagnostic
/// listener, raised by <c>HostApplicationBuilder.Build()</c> (minimal hosting, <c>WebApplication</c>) and by
/// <c>HostBuilder.Build()</c> (<c>UseStartup</c>) — and adds Roost's services then, after the app's own
/// registrations, so Roost's Kestrel endpoints, Data Protection and <c>IDistributedCache</c> win (design.md).
/// </summary>
internal sealed class HostBuildingObserver(RunServices services) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private const string ListenerName = "Microsoft.Extensions.Hosting";
    private const string HostBuildingEvent = "HostBuilding";

    private readonly List<IDisposable> _subscriptions = [];
    private int _applied;

    public static void Start(RunServices services)
    {
        var observer = new HostBuildingObserver(services);
        observer._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(observer));
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == ListenerName)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != HostBuildingEvent)
        {
            return;
        }

        // The first host the app builds is the one that serves; a second (rare: a tool host) is left alone.
        if (Interlocked.Exchange(ref _applied, 1) != 0)
        {
            return;
        }

        switch (value.Value)
        {
            case IHostApplicationBuilder builder:
                services.AddTo(builder.Services);
                break;
            case IHostBuilder builder:
                // Runs after the app's ConfigureServices callbacks (and a Startup class's), which were registered first.
                builder.ConfigureServices((_, collection) => services.AddTo(collection));
                break;
            default:
                Console.Error.WriteLine(HookErrorMessages.UnknownHostBuilder(value.Value?.GetType().FullName ?? "null"));
                Environment.Exit(HookEntry.LoadFailedExitCode);
                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
