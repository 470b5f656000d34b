using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Roost.Cli.Files;

/// <summary>
/// The files of <c>roost serve --root</c>: a <see cref="PhysicalFileProvider"/> (which already refuses paths that climb
/// above the root, absolute paths, invalid characters, and dot-prefixed, hidden or system files) plus two rules of
/// ours, checked on every lookup:
/// <list type="number">
/// <item>No path segment may start with a dot (<c>/.git/config</c>, <c>/.env</c>), except <c>/.well-known/</c>
/// (RFC 8615: ACME challenges, security.txt). The physical provider hides dot-prefixed <em>files</em> only, not the
/// files inside a dot-prefixed folder.</item>
/// <item>A symbolic link is followed only when its final target is inside the root: a link that leads out (e.g.
/// <c>site/passwd -> /etc/passwd</c>) is answered as missing. Links inside the root work as nginx users expect.</item>
/// </list>
/// Anything refused looks exactly like a missing file (404), so a client learns nothing about what exists.
/// </summary>
internal sealed class RootedFileProvider : IFileProvider
{
    // Linux's limit on links followed while resolving one path (MAXSYMLINKS / ELOOP).
    private const int MaxLinks = 40;

    private readonly PhysicalFileProvider _inner;
    private readonly string _root;
    private readonly string _rootPrefix;

    /// <param name="root">The root folder: a full path with every symbolic link resolved (<see cref="ResolveLinks"/>).</param>
    public RootedFileProvider(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(root);
        _rootPrefix = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
        _inner = new PhysicalFileProvider(root, ExclusionFilters.Sensitive);
    }

    public IFileInfo GetFileInfo(string subpath)
    {
        if (HasDotSegment(subpath))
        {
            return new NotFoundFileInfo(subpath);
        }

        var file = _inner.GetFileInfo(subpath);
        if (!file.Exists || file.PhysicalPath is not { } path)
        {
            return file;
        }

        // A file reached through a link is served as its target: FileInfo of the link itself reports the link's own
        // length on Unix (the target's bytes would be cut to the length of the link text).
        return Locate(path) switch
        {
            null => new NotFoundFileInfo(subpath),
            { } real when ReferenceEquals(real, path) => file,
            { } real => new PhysicalFileInfo(new FileInfo(real)),
        };
    }

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        // Only DefaultFilesMiddleware asks (does the folder exist? then it looks for index.html); nothing lists.
        if (HasDotSegment(subpath))
        {
            return NotFoundDirectoryContents.Singleton;
        }

        var contents = _inner.GetDirectoryContents(subpath);
        // The physical provider accepted the path (it never climbs above the root), so joining it is safe.
        return !contents.Exists || Locate(Path.GetFullPath(Path.Join(_root, subpath.TrimStart('/')))) is not null ? contents : NotFoundDirectoryContents.Singleton;
    }

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    /// <summary>
    /// <paramref name="path"/> with every symbolic link in it resolved (what realpath(3) returns), or
    /// <see langword="null"/> when a link cannot be read or the links loop.
    /// </summary>
    /// <param name="path">A full path.</param>
    public static string? ResolveLinks(string path)
    {
        var pending = new Stack<string>();
        Push(pending, path);
        var current = Path.GetPathRoot(path) ?? "/";
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var candidate = Path.Join(current, segment);
            string? target;
            try
            {
                target = new FileInfo(candidate).LinkTarget;
            }
            catch (IOException)
            {
                // Missing (or removed meanwhile): nothing to resolve; the caller's own lookup reports it missing.
                target = null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }

            if (target is null)
            {
                current = candidate;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? "/";
            }

            Push(pending, target);
        }

        return current;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var segments = path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }

    private static bool HasDotSegment(string subpath)
    {
        var rest = subpath.AsSpan();
        while (!rest.IsEmpty)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Length > 0 && segment[0] == '.' && !segment.SequenceEqual(".well-known"))
            {
                return true;
            }

            rest = slash < 0 ? default : rest[(slash + 1)..];
        }

        return false;
    }

    /// <summary>
    /// Where <paramref name="path"/> (a path under the root, as the physical provider builds it) really is: the same
    /// string when no segment below the root is a link (one readlink per segment, two for /static/file.bin), else the
    /// path with its links resolved — or <see langword="null"/> when that is outside the root.
    /// </summary>
    private string? Locate(string path)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(path);
        try
        {
            for (var p = trimmed; p.Length > _root.Length; p = Path.GetDirectoryName(p) ?? _root)
            {
                if (new FileInfo(p).LinkTarget is not null)
                {
                    // Inside the root, and not a dotfile by another name (site/visible -> .env).
                    return ResolveLinks(trimmed) is { } real
                        && (real == _root || (real.StartsWith(_rootPrefix, StringComparison.Ordinal) && !HasDotSegment(real[_rootPrefix.Length..])))
                        ? real
                        : null;
                }
            }
        }
        catch (IOException)
        {
            // Removed while we looked: refuse; the client sees 404 as for any missing file.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return path;
    }
}
