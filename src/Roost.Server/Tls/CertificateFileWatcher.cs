using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Roost.Tls;

/// <summary>
/// Watches the certificate files of a <see cref="CertificateStore"/> and reloads it when they change; also reloads on
/// request (SIGHUP, the API). One reload runs at a time; changes during a reload cause one more.
/// </summary>
/// <remarks>
/// <para>Directories are watched, not files, so that every renewal pattern is seen: a file written in place, an atomic
/// rename over the file, and certbot's <c>live/</c> symlinks re-pointed at new files in <c>archive/</c> (the link's
/// directory and the target's directory are both watched; targets are resolved again after each reload).</para>
/// <para>Events are debounced (100 ms) so that a renewal writing several files triggers one reload; a key that
/// arrives after its certificate is waited for by the store's settle time.</para>
/// </remarks>
internal sealed class CertificateFileWatcher : IAsyncDisposable
{
    /// <summary>Quiet time after the last file event before reloading: certbot and cp write several files within milliseconds.</summary>
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);

    private readonly CertificateStore _store;
    private readonly ILogger _logger;
    private readonly bool _watchFiles;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, (FileSystemWatcher Watcher, HashSet<string> Names)> _watchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;

    public CertificateFileWatcher(CertificateStore store, ILogger logger, bool watchFiles)
    {
        _store = store;
        _logger = logger;
        _watchFiles = watchFiles;
    }

    public void Start()
    {
        if (_watchFiles)
        {
            RefreshWatches();
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Asks for a reload; returns at once (safe from a signal callback: it only writes to a channel).</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var (watcher, _) in _watchers.Values)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting or reloading: expected on dispose.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _requests.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Debounce: wait until no new request arrived for a moment.
            while (reader.TryRead(out _))
            {
                await Task.Delay(Debounce, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await _store.ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Loop boundary: an unexpected failure is logged and the old certificates keep serving; the next
                // change or SIGHUP tries again.
                Log.CertificateReloadFailed(_logger, ex);
            }

            if (_watchFiles)
            {
                RefreshWatches();
            }
        }
    }

    /// <summary>Watches the directory of every file and, for symlinks, of its final target.</summary>
    private void RefreshWatches()
    {
        var wanted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var path in _store.FilePaths)
        {
            var full = Path.GetFullPath(path);
            AddWanted(wanted, full);
            try
            {
                if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
                {
                    AddWanted(wanted, target.FullName);
                }
            }
            catch (IOException)
            {
                // A dangling or looping link: the link's own directory is still watched.
            }
        }

        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            foreach (var (directory, names) in wanted)
            {
                if (_watchers.TryGetValue(directory, out var existing))
                {
                    existing.Names.UnionWith(names);
                    continue;
                }

                try
                {
                    var watcher = new FileSystemWatcher(directory)
                    {
                        NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                        IncludeSubdirectories = false,
                    };
                    var entry = (watcher, names);
                    watcher.Changed += (_, e) => OnEvent(entry.names, e.Name);
                    watcher.Created += (_, e) => OnEvent(entry.names, e.Name);
                    watcher.Deleted += (_, e) => OnEvent(entry.names, e.Name);
                    watcher.Renamed += (_, e) =>
                    {
                        OnEvent(entry.names, e.Name);
                        OnEvent(entry.names, e.OldName);
                    };

                    // Lost events (buffer overflow): reload to be safe.
                    watcher.Error += (_, _) => Request();
                    watcher.EnableRaisingEvents = true;
                    _watchers[directory] = entry;
                }
                catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    // No watch (missing directory, inotify limit): reloads still work on request.
                    Log.CertificateWatchFailed(_logger, directory, ex.Message);
                }
            }
        }
    }

    private void OnEvent(HashSet<string> names, string? name)
    {
        bool relevant;
        lock (_gate)
        {
            relevant = name is not null && names.Contains(name);
        }

        if (relevant)
        {
            Request();
        }
    }

    private static void AddWanted(Dictionary<string, HashSet<string>> wanted, string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath);
        if (directory is null)
        {
            return;
        }

        if (!wanted.TryGetValue(directory, out var names))
        {
            wanted[directory] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        names.Add(Path.GetFileName(fullPath));
    }
}
