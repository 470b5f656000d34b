using System.Globalization;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost serve|run --user</c> (and <c>--group</c>) in the primary: look the user (and the group) up, check that roost runs as root and that the user can
/// reach what its workers open (the working folder, the program, the app, --root, roost.json), then have the
/// supervisor start workers as that user and send them the TLS files (docs/deploy.md, "Privilege drop").
/// </summary>
internal static class WorkerUserSetup
{
    /// <summary>What a worker opens besides its TLS files: a path, what it is (for the message), and whether it is a folder.</summary>
    internal readonly record struct Needed(string Path, string What, bool Folder);

    /// <summary>Whether <paramref name="text"/> can name a user: a numeric uid, or a name without blanks, '/' or ':'.</summary>
    public static bool IsUserText(string text) =>
        text.Length is > 0 and <= 256 && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or ':');

    /// <summary>
    /// Looks <c>--user</c> up and checks that roost can start workers as that user (before anything else starts). Without
    /// --user, warns when root serves a privileged port with root workers.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <param name="user">The user to start workers as; <see langword="null"/> when there is nothing to drop (no --user, or it is roost's own user).</param>
    /// <returns><see langword="null"/> to go on; otherwise the exit code after the error was printed.</returns>
    public static int? Resolve(ServeSettings settings, out WorkerUser? user)
    {
        user = null;
        var self = WorkerUser.CurrentUid;
        if (settings.User is null)
        {
            if (self == 0 && settings.Port is > 0 and < 1024)
            {
                // nginx and gunicorn start workers as an unprivileged user when told; silently serving the internet
                // from root workers is the mistake this line is for. Not printed for ports >= 1024 (tests, development).
                Console.Error.WriteLine($"warning: roost runs as root and --user is not set, so the workers (and the code they run) run as root too. Add --user www-data (or another unprivileged user): the primary still binds port {settings.Port.ToString(CultureInfo.InvariantCulture)} and reads the key files as root.");
            }

            return null;
        }

        if (WorkerUser.Find(settings.User) is not { } found)
        {
            return CommandErrors.Fail(CliPrivilegeMessages.UnknownUser(settings.User), ExitCodes.InvalidUsage);
        }

        // Another primary group than the user's own (--group): there is something to drop even for roost's own user.
        var ownGid = found.Gid;
        if (settings.Group is { } group)
        {
            try
            {
                if (found.WithGroup(group) is not { } withGroup)
                {
                    return CommandErrors.Fail(CliPrivilegeMessages.UnknownGroup(group), ExitCodes.InvalidUsage);
                }

                found = withGroup;
            }
            catch (InvalidOperationException ex)
            {
                return CommandErrors.Fail(CliPrivilegeMessages.GroupNotUsable(group, ex.Message), ExitCodes.InvalidUsage);
            }
        }

        if (found.Uid == self && found.Gid == ownGid)
        {
            // Nothing to drop: every process already runs as that user (and its own group).
            return null;
        }

        if (self != 0)
        {
            var current = WorkerUser.FindByUid(self);
            return CommandErrors.Fail(CliPrivilegeMessages.NotRoot(settings.User, current?.Name, self), ExitCodes.InvalidUsage);
        }

        user = found;
        return null;
    }

    /// <summary>
    /// Checks that <paramref name="user"/> can reach what every worker opens (<paramref name="needed"/>, and the working
    /// folder), then has the supervisor start the workers as the user and send them the TLS files of <paramref name="tls"/>
    /// (spelled as the workers spell them); with <paramref name="watch"/>, renewed files are pushed to running workers.
    /// </summary>
    /// <returns><see langword="null"/> to go on; otherwise the exit code after every problem was printed.</returns>
    public static int? Apply(ClusterOptions options, WorkerUser? user, SecureServerOptions tls, bool watch, IEnumerable<Needed> needed)
    {
        if (user is null)
        {
            return null;
        }

        List<string> problems = [];
        foreach (var item in needed)
        {
            if (!user.CanRead(item.Path, item.Folder, out var problem))
            {
                problems.Add(CliPrivilegeMessages.CannotReach(user.Name, item.What, item.Path, problem));
            }
        }

        if (!user.CanEnter(Environment.CurrentDirectory, out var cwd) && !needed.Any(n => n.What == CliPrivilegeMessages.AppFolder))
        {
            problems.Add(CliPrivilegeMessages.CannotReach(user.Name, "the working folder (workers start in it)", Environment.CurrentDirectory, cwd));
        }

        if (problems.Count > 0)
        {
            return CommandErrors.Fail(string.Join('\n', problems), ExitCodes.InvalidUsage);
        }

        options.WorkerUser = user;
        options.WorkerTlsFiles = WorkerTlsFiles.From(tls, watch);
        return null;
    }

    /// <summary>What every worker runs: the program (the native roost, or the dotnet host and roost.dll) and, when a file gave the settings, that file.</summary>
    public static IEnumerable<Needed> Program(ServeSettings settings)
    {
        if (Environment.ProcessPath is { } process)
        {
            yield return new Needed(process, "the program workers run", Folder: false);
        }

        yield return new Needed(AppContext.BaseDirectory, "roost's folder", Folder: true);
        if (settings.ConfigFile is { } config)
        {
            yield return new Needed(config, "the configuration file (workers read it too)", Folder: false);
        }
    }
}
