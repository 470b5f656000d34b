using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Privileges;

namespace Roost;

/// <summary>
/// The account cluster workers run as (<see cref="ClusterOptions.WorkerUser"/>, <c>roost serve|run --user</c>): its
/// name, uid, primary group and home, looked up in the user database (NSS: /etc/passwd, LDAP, systemd's dynamic users)
/// by the primary before any worker starts, with the checks the primary makes before it starts workers as that user.
/// </summary>
/// <example>
/// <code>
/// var user = WorkerUser.Find("www-data") ?? throw new InvalidOperationException("no user www-data");
/// if (!user.CanRead("/srv/app/app.dll", folder: false, out var reason)) Console.Error.WriteLine(reason);
/// Cluster.SetupPrimary(new ClusterOptions { RespawnWorkers = true, WorkerUser = user });
/// </code>
/// </example>
public sealed class WorkerUser
{
    internal WorkerUser(string name, uint uid, uint gid, string groupName, string home, IReadOnlyList<uint> groups)
    {
        Name = name;
        Uid = uid;
        Gid = gid;
        GroupName = groupName;
        Home = home;
        Groups = groups;
    }

    /// <summary>Gets the user name (what the worker's start info is given).</summary>
    public string Name { get; }

    /// <summary>Gets the user id.</summary>
    public uint Uid { get; }

    /// <summary>Gets the primary group id.</summary>
    public uint Gid { get; }

    /// <summary>Gets the primary group's name, or its number when the group database has no entry.</summary>
    public string GroupName { get; }

    /// <summary>Gets the home folder (the workers' <c>HOME</c>).</summary>
    public string Home { get; }

    /// <summary>Gets every group the workers get: the primary group and the user's supplementary groups (initgroups).</summary>
    public IReadOnlyList<uint> Groups { get; }

    /// <summary>Gets the effective user id of this process (0: root, which alone can start workers as another user).</summary>
    public static uint CurrentUid => Libc.GetEffectiveUserId();

    /// <summary>Looks <paramref name="nameOrId"/> up: a user name, or a numeric uid.</summary>
    /// <param name="nameOrId">The user name or uid.</param>
    /// <returns>The user, or <see langword="null"/> when the system has no such user.</returns>
    public static WorkerUser? Find(string nameOrId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        return uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? LookUp(null, uid)
            : LookUp(nameOrId, 0);
    }

    /// <summary>Looks the user with id <paramref name="uid"/> up.</summary>
    /// <param name="uid">The user id.</param>
    /// <returns>The user, or <see langword="null"/> when the system has no such user.</returns>
    public static WorkerUser? FindByUid(uint uid) => LookUp(null, uid);

    /// <summary>
    /// Gets a value indicating whether the group is not the user's own (<c>--group</c>, <see cref="WithGroup"/>):
    /// such workers start through <see cref="Setpriv"/>, because .NET's process start takes the group from the user database.
    /// </summary>
    internal bool GroupGiven { get; private init; }

    /// <summary>
    /// The user with <paramref name="nameOrGid"/> as primary group and the supplementary groups the user has as a
    /// member (nginx's <c>user www-data www-data</c>: initgroups(user, group)); a numeric gid without an entry in the
    /// group database is used as it is.
    /// </summary>
    /// <param name="nameOrGid">A group name, or a numeric gid.</param>
    /// <returns>The user with that group, or <see langword="null"/> when the system has no group of that name.</returns>
    /// <exception cref="InvalidOperationException">The group is not the user's own and setpriv (util-linux), which starts such workers, is not installed.</exception>
    public WorkerUser? WithGroup(string nameOrGid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrGid);
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

        return new WorkerUser(Name, Uid, group.Gid, group.Name, Home, GroupsOf(Name, group.Gid)) { GroupGiven = true };
    }

    /// <summary>
    /// Whether this user can reach <paramref name="path"/> and read it (a folder: list and enter it), judged from the
    /// mode bits, owner and group of the path and of every folder above it. A path with an ACL, or one that does not
    /// exist, passes (the kernel decides at start; the caller reports a missing path itself).
    /// </summary>
    /// <param name="path">The file or folder.</param>
    /// <param name="folder">Whether <paramref name="path"/> is a folder.</param>
    /// <param name="reason">Why not, naming the path, its mode, owner and group; <see langword="null"/> when it can.</param>
    /// <returns><see langword="true"/> when the user can read it.</returns>
    public bool CanRead(string path, bool folder, [NotNullWhen(false)] out string? reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        reason = FileAccessCheck.CannotRead(path, this, folder);
        return reason is null;
    }

    /// <summary>Whether this user can reach the folder <paramref name="path"/> and enter it (as <see cref="CanRead"/> judges).</summary>
    /// <param name="path">The folder.</param>
    /// <param name="reason">Why not; <see langword="null"/> when it can.</param>
    /// <returns><see langword="true"/> when the user can enter it.</returns>
    public bool CanEnter(string path, [NotNullWhen(false)] out string? reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        reason = FileAccessCheck.CannotEnter(path, this);
        return reason is null;
    }

    /// <summary>Whether this user can create files in the folder <paramref name="path"/> (as <see cref="CanRead"/> judges).</summary>
    /// <param name="path">The folder.</param>
    /// <param name="reason">Why not; <see langword="null"/> when it can.</param>
    /// <returns><see langword="true"/> when the user can write to it.</returns>
    public bool CanWrite(string path, [NotNullWhen(false)] out string? reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        reason = FileAccessCheck.CannotWrite(path, this);
        return reason is null;
    }

    /// <summary>
    /// Makes this user and its primary group the owner of <paramref name="path"/> (lchown: a symbolic link itself,
    /// never what it points to), for what the primary prepares as root and the workers must write to.
    /// </summary>
    /// <param name="path">The file or folder.</param>
    /// <exception cref="IOException">The owner could not be changed (the message names the path and the errno).</exception>
    public void TakeOwnership(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileAccessCheck.GiveTo(path, this);
    }

    /// <summary>Describes the user for messages: <c>'www-data' (uid 33, group 'www-data' gid 33)</c>.</summary>
    /// <returns>The description.</returns>
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
                return new WorkerUser(userName, entry.Uid, entry.Gid, WorkerGroup.NameOf(entry.Gid), home.Length == 0 ? "/" : home, GroupsOf(userName, entry.Gid));
            }
        }

        return null;
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
}
