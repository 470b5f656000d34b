using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>The primary prepares the store and key ring before it forks: workers started together find one key.</summary>
[Trait("Category", "Slow")]
public sealed class ClusterKeyRingTests
{
    [Fact]
    public async Task PrepareInPrimary_FourWorkersStartTogetherOnEmptyFolder_ExactlyOneKey()
    {
        using var dir = new TempDirectory();
        Assert.False(Directory.Exists(dir.File("state")));

        await using var cluster = await ClusterStateHost.StartAsync(4, dir.File("state"));

        Assert.Single(Directory.GetFiles(Path.Combine(dir.File("state"), "keys"), "key-*.xml"));
        var lines = cluster.Process.Lines.ToList();
        var prepared = lines.FindIndex(l => l == "prepared 1");
        var firstFork = lines.FindIndex(l => l.StartsWith("forked ", StringComparison.Ordinal));
        Assert.True(prepared >= 0 && prepared < firstFork, $"the primary should prepare the key ring before forking. Output:\n{cluster.Process.Output}");
    }
}
