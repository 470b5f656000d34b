using System.Globalization;

namespace Roost.Cli.Commands;

/// <summary>The messages of <c>--user</c> (what was wrong, which input, the value seen, what to do).</summary>
internal static class CliPrivilegeMessages
{
    /// <summary>The <see cref="WorkerUserSetup.Needed.What"/> of roost run's app folder (workers start in it).</summary>
    public const string AppFolder = "the app's folder (workers start in it)";

    public static string UnknownUser(string user) =>
        $"--user: no user named '{user}' on this system (looked up like getent passwd {user}). Check the spelling, create the user (useradd --system --no-create-home --shell /usr/sbin/nologin {user}), or give an existing one such as www-data or nobody.";

    public static string UnknownGroup(string group) =>
        $"--group: no group named '{group}' on this system (looked up like getent group {group}). Check the spelling, create the group (groupadd --system {group}), or give an existing group name or a numeric gid.";

    public static string GroupNotUsable(string group, string problem) => $"--group {group}: {problem}";

    public static string NeedsWorkers(string user) =>
        $"--user {user} needs worker processes (--workers 1 or more, or auto): the primary binds the port and reads the key files as root and the workers serve as '{user}'. With --workers 0 the one process would serve as root.";

    public static string NotRoot(string user, string? current, uint uid) =>
        string.Create(CultureInfo.InvariantCulture, $"--user {user}: roost runs as '{current ?? uid.ToString(CultureInfo.InvariantCulture)}' (uid {uid}), not as root, and only root can start workers as another user. Start roost as root (sudo, or a systemd unit without User=) and keep --user {user}; or leave --user out and every process runs as '{current ?? "this user"}' (a port below 1024 then needs CAP_NET_BIND_SERVICE, e.g. AmbientCapabilities= in the unit).");

    public static string CannotReach(string user, string what, string path, string problem) =>
        $"--user {user}: the workers could not open {what} '{path}': {problem}. Give the user access (chmod o+rx on the folders above it, chgrp, or setfacl -m u:{user}:rx), or move it somewhere the user can read.";
}
