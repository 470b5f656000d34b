using System.Diagnostics;
using Roost.Clustering.Internal.Privileges;

namespace Roost.Cluster.Tests;

/// <summary>
/// Workers with another group than their user's (<c>--group</c>) start through setpriv: the start info is rewritten to
/// run the same program and arguments behind setpriv's options; the group is looked up in the group database.
/// </summary>
public sealed class SetprivTests
{
    // Verifies: a start info built with ArgumentList keeps its program and arguments (one with a blank) after setpriv's
    // --reuid/--regid/--groups and "--".
    [Fact]
    public void Wrap_ArgumentList_ProgramAndArgumentsFollowTheOptions()
    {
        var info = new ProcessStartInfo("/usr/bin/dotnet") { ArgumentList = { "/srv/app dir/App.dll", "--flag" } };

        Setpriv.Wrap(info, "/usr/bin/setpriv", 33, 4, [4, 27]);

        Assert.Equal("/usr/bin/setpriv", info.FileName);
        Assert.Equal(["--reuid=33", "--regid=4", "--groups=4,27", "--", "/usr/bin/dotnet", "/srv/app dir/App.dll", "--flag"], info.ArgumentList);
    }

    // Verifies: a start info built with the Arguments string gets the options and the (quoted) program in front.
    [Fact]
    public void Wrap_ArgumentsString_OptionsAndQuotedProgramInFront()
    {
        var info = new ProcessStartInfo("/opt/my app/roost", "serve --port 443");

        Setpriv.Wrap(info, "/usr/bin/setpriv", 65534, 1, [1]);

        Assert.Equal("--reuid=65534 --regid=1 --groups=1 -- \"/opt/my app/roost\" serve --port 443", info.Arguments);
        Assert.Empty(info.ArgumentList);
    }

    // Verifies: group 0 is found by name and by number; an unknown name is null; a numeric gid without an entry is used as given.
    [Fact]
    public void Find_NameGidUnknownAndUnlisted()
    {
        Assert.Equal((0u, "root"), WorkerGroup.Find("root"));
        Assert.Equal((0u, "root"), WorkerGroup.Find("0"));
        Assert.Null(WorkerGroup.Find("no-such-group-xyz"));
        Assert.Equal((4123456u, "4123456"), WorkerGroup.Find("4123456"));
    }
}
