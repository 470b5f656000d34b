using Roost.Testing;

namespace Roost.Cluster.Tests;

/// <summary>The public privilege API (<see cref="WorkerUser"/>) on this machine's real user database and files.</summary>
public sealed class WorkerUserTests
{
    // Verifies: a user is found by name, by numeric text and by uid (root is always there); an unknown name is null.
    [Fact]
    public void Find_ByNameUidOrNumber_AndUnknownIsNull()
    {
        var root = WorkerUser.Find("root");

        Assert.NotNull(root);
        Assert.Equal((0u, 0u, "root"), (root.Uid, root.Gid, root.Name));
        Assert.Contains(0u, root.Groups);
        Assert.Equal("root", WorkerUser.Find("0")?.Name);
        Assert.Equal("root", WorkerUser.FindByUid(0)?.Name);
        Assert.Equal("'root' (uid 0, group 'root' gid 0)", root.ToString());
        Assert.Null(WorkerUser.Find("roost-no-such-user-7f3a"));
    }

    // Verifies: the checks judge by mode bits, owner and group (an unprivileged user cannot read a 0600 file or enter
    // a 0700 folder of another user, and the reason names the path and its mode); root passes every check; as root,
    // TakeOwnership hands the folder over, after which the user can enter and write to it.
    [Fact]
    public void CanReadEnterWrite_FollowTheModeBits_TakeOwnershipHandsTheFolderOver()
    {
        var nobody = WorkerUser.FindByUid(65534);
        Assert.SkipWhen(nobody is null, "no user with uid 65534 (nobody) on this machine");
        Assert.SkipWhen(WorkerUser.CurrentUid == 65534, "the tests run as nobody");
        using var temp = new TempDirectory("roost-worker-user");
        File.SetUnixFileMode(temp.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        var secret = temp.Write("secret.key", "key");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var folder = Directory.CreateDirectory(temp.File("state")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.False(nobody.CanRead(secret, folder: false, out var reason));
        Assert.Contains($"cannot read '{secret}' (mode 0600", reason, StringComparison.Ordinal);
        Assert.False(nobody.CanEnter(folder, out var enter));
        Assert.Contains($"cannot enter '{folder}' (mode 0700", enter, StringComparison.Ordinal);
        Assert.False(nobody.CanWrite(folder, out _));
        Assert.True(nobody.CanEnter(temp.Path, out var none));
        Assert.Null(none);
        Assert.True(WorkerUser.Find("root")!.CanRead(secret, folder: false, out _));

        if (WorkerUser.CurrentUid != 0)
        {
            return;
        }

        nobody.TakeOwnership(folder);

        Assert.True(nobody.CanEnter(folder, out _));
        Assert.True(nobody.CanWrite(folder, out _));
        Assert.False(nobody.CanRead(secret, folder: false, out _));
    }
}
