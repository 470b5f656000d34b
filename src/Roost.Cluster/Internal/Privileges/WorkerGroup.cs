using System.Globalization;
using System.Runtime.InteropServices;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Privileges;

/// <summary>
/// The group workers run with when it is not the user's own (<c>roost serve|run --user U --group G</c>, nginx's
/// <c>user U G</c>): looked up in the group database (NSS) by the primary before any worker starts.
/// </summary>
internal static class WorkerGroup
{
    /// <summary>
    /// Looks <paramref name="nameOrGid"/> up: a group name (must exist), or a numeric gid (used as it is when the
    /// database has no entry, as a container's gid often has none).
    /// </summary>
    /// <returns>The gid and the group's name (its number when it has no entry), or <see langword="null"/> for an unknown name.</returns>
    public static (uint Gid, string Name)? Find(string nameOrGid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrGid);
        if (uint.TryParse(nameOrGid, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return (gid, NameOf(gid));
        }

        return LookUp(nameOrGid, 0);
    }

    /// <summary>The name of group <paramref name="gid"/>, or its number when the database has no entry.</summary>
    public static string NameOf(uint gid) => LookUp(null, gid)?.Name ?? gid.ToString(CultureInfo.InvariantCulture);

    private static unsafe (uint Gid, string Name)? LookUp(string? name, uint gid)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Libc.Group entry;
            Libc.Group* result = null;
            fixed (byte* data = buffer)
            {
                var error = name is null
                    ? Libc.GetGroupByGid(gid, &entry, data, (nuint)size, &result)
                    : Libc.GetGroupByName(name, &entry, data, (nuint)size, &result);
                if (error == Libc.Erange)
                {
                    continue;
                }

                if (error != 0 || result is null)
                {
                    return null;
                }

                return (entry.Gid, Marshal.PtrToStringUTF8((nint)entry.Name) ?? entry.Gid.ToString(CultureInfo.InvariantCulture));
            }
        }

        return null;
    }
}
