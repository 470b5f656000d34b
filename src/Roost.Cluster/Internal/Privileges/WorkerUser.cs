using System.Globalization;
using System.Runtime.InteropServices;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Privileges;

/// <summary>
/// The account workers run as (<c>roost serve|run --user</c>): its name, uid, primary group and home, looked up in the
/// user database (NSS: /etc/passwd, LDAP, systemd's dynamic users) by the primary before any worker starts.
/// </summary>
/// <param name="Name">The user name (what <see cref="System.Diagnostics.ProcessStartInfo.UserName"/> is given).</param>
/// <param name="Uid">The user id.</param>
/// <param name="Gid">The primary group id.</param>
/// <param name="GroupName">The primary group's name, or its number when the group database has no entry.</param>
/// <param name="Home">The home folder (the workers' <c>HOME</c>).</param>
/// <param name="Groups">Every group the workers get: the primary group and the user's supplementary groups (initgroups).</param>
internal sealed record WorkerUser(string Name, uint Uid, uint Gid, string GroupName, string Home, IReadOnlyList<uint> Groups)
{
    /// <summary>Gets the user id of this process (effective).</summary>
    public static uint CurrentUid => Libc.GetEffectiveUserId();

    /// <summary>Looks <paramref name="nameOrId"/> up: a user name, or a numeric uid.</summary>
    /// <returns>The user, or <see langword="null"/> when the system has no such user.</returns>
    public static WorkerUser? Find(string nameOrId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        return uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? LookUp(null, uid)
            : LookUp(nameOrId, 0);
    }

    /// <summary>Looks the user with id <paramref name="uid"/> up.</summary>
    public static WorkerUser? FindByUid(uint uid) => LookUp(null, uid);

    /// <summary>
    /// Gets a value indicating whether the group is not the user's own (<c>--group</c>, <see cref="WithGroup"/>):
    /// such workers start through <see cref="Setpriv"/>, because .NET's process start takes the group from the user database.
    /// </summary>
    public bool GroupGiven { get; private init; }

    /// <summary>
    /// The user with <paramref name="nameOrGid"/> as primary group and the supplementary groups the user has as a
    /// member (nginx's <c>user www-data www-data</c>: initgroups(user, group)); a numeric gid without an entry in the
    /// group database is used as it is.
    /// </summary>
    /// <returns>The user with that group, or <see langword="null"/> when the system has no group of that name.</returns>
    /// <exception cref="InvalidOperationException">The group is not the user's own and setpriv (util-linux), which starts such workers, is not installed.</exception>
    public WorkerUser? WithGroup(string nameOrGid)
    {
        if (WorkerGroup.Find(nameOrGid) is not { } group)
        {
            return null;
        }

        if (group.Gid == Gid)
        {
            return this;
        }

        if (Setpriv.Find() is null)
        {
            throw new InvalidOperationException(ClusterErrorMessages.GroupNeedsSetpriv(group.Name, Name, GroupName));
        }

        return this with { Gid = group.Gid, GroupName = group.Name, Groups = GroupsOf(Name, group.Gid), GroupGiven = true };
    }

    /// <summary>Describes the user for messages: <c>'www-data' (uid 33, group 'www-data' gid 33)</c>.</summary>
    public override string ToString() => $"'{Name}' (uid {Uid}, group '{GroupName}' gid {Gid})";

    private static unsafe WorkerUser? LookUp(string? name, uint uid)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Libc.Passwd entry;
            Libc.Passwd* result = null;
            int error;
            fixed (byte* data = buffer)
            {
                error = name is null
                    ? Libc.GetPasswordByUid(uid, &entry, data, (nuint)size, &result)
                    : Libc.GetPasswordByName(name, &entry, data, (nuint)size, &result);
                if (error == Libc.Erange)
                {
                    continue;
                }

                if (error != 0 || result is null)
                {
                    return null;
                }

                var userName = Marshal.PtrToStringUTF8((nint)entry.Name) ?? string.Empty;
                var home = Marshal.PtrToStringUTF8((nint)entry.Directory) ?? "/";
                return new WorkerUser(userName, entry.Uid, entry.Gid, GroupNameOf(entry.Gid), home.Length == 0 ? "/" : home, GroupsOf(userName, entry.Gid));
            }
        }

        return null;
    }

    private static unsafe string GroupNameOf(uint gid)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Libc.Group entry;
            Libc.Group* result = null;
            fixed (byte* data = buffer)
            {
                var error = Libc.GetGroupByGid(gid, &entry, data, (nuint)size, &result);
                if (error == Libc.Erange)
                {
                    continue;
                }

                return error == 0 && result is not null ? Marshal.PtrToStringUTF8((nint)entry.Name) ?? Text(gid) : Text(gid);
            }
        }

        return Text(gid);
    }

    /// <summary>The groups .NET's process start sets with setgroups (getgrouplist of the user and its primary group).</summary>
    private static unsafe uint[] GroupsOf(string user, uint gid)
    {
        var count = 32;
        while (count <= 65536)
        {
            var groups = new uint[count];
            var found = count;
            fixed (uint* data = groups)
            {
                if (Libc.GetGroupList(user, gid, data, &found) >= 0)
                {
                    return groups[..found];
                }
            }

            count = Math.Max(found, count * 2);
        }

        return [gid];
    }

    private static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
