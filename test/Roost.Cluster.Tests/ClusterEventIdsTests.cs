using Roost.Clustering.Internal;
using Roost.Testing;

namespace Roost.Cluster.Tests;

/// <summary>
/// The cluster runtime's event ids: each id names one event, and every <c>[LoggerMessage]</c> in Roost.Cluster uses an id
/// from the table inside the runtime's declared range (2000–2299), so log queries by id stay unambiguous.
/// </summary>
public sealed class ClusterEventIdsTests
{
    private const int RangeStart = 2000;
    private const int RangeEnd = 2299;

    [Fact]
    public void Table_HasNoIdTwice_AndEveryIdIsInTheRuntimeRange()
    {
        var problems = EventIdTable.FindProblems(EventIdTable.ConstantsOf(typeof(ClusterEventIds)), RangeStart, RangeEnd);

        Assert.Empty(problems);
    }

    [Fact]
    public void Table_LeavesTheStartupHookRangeFree()
    {
        // 2150–2159 belong to the roost run startup hook (Roost.StartupHook's RunEventIds).
        var inHookRange = EventIdTable.ConstantsOf(typeof(ClusterEventIds)).Where(c => c.Id is >= 2150 and <= 2159).Select(c => $"{c.Name} = {c.Id}");

        Assert.Empty(inHookRange);
    }

    [Fact]
    public void LoggerMessages_UseIdsFromTheTable()
    {
        var table = EventIdTable.ConstantsOf(typeof(ClusterEventIds)).Select(c => c.Id).ToHashSet();
        var unknown = EventIdTable.LoggerMessages(typeof(ClusterEventIds).Assembly)
            .Where(m => !table.Contains(m.Id))
            .Select(m => $"{m.Name}: {m.Id}")
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void FindProblems_DeliberatelyBadTable_ReportsTheDuplicateAndTheOutOfRangeId()
    {
        var bad = new List<(string Name, int Id)> { ("A", 2000), ("B", 2000), ("C", 3500) };

        var problems = EventIdTable.FindProblems(bad, RangeStart, RangeEnd);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("2000", StringComparison.Ordinal) && p.Contains('A') && p.Contains('B'));
        Assert.Contains(problems, p => p.Contains("3500", StringComparison.Ordinal) && p.Contains('C'));
    }
}
