using System.Reflection;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary>
/// One event-id table per assembly, each with its declared range (CONTRIBUTING.md §8.2): every <c>[LoggerMessage]</c>
/// uses an id of its assembly's table (never 0, never a bare number outside it), no id is used twice, and every id lies
/// in the assembly's range. Roost.Cluster's table has its own test (ClusterEventIdsTests).
/// </summary>
public sealed class EventIdTablesTests
{
    public static TheoryData<string, string, int, int> Tables => new()
    {
        { "roost", "Roost.Cli.CliEventIds", 3000, 3099 },
        { "Roost.StartupHook", "Roost.StartupHook.Internal.RunEventIds", 2150, 2159 },
        { "Roost.Server", "Roost.EventIds", 1000, 1399 },
        { "Roost.SharedState", "Roost.SharedState.EventIds", 4000, 4099 },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Table_HasNoIdTwice_AndEveryIdIsInItsRange(string assembly, string table, int start, int end)
    {
        var problems = EventIdTable.FindProblems(EventIdTable.ConstantsOf(Table(assembly, table)), start, end);

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void LoggerMessages_UseIdsFromTheTable_EachOnce(string assembly, string table, int start, int end)
    {
        _ = (start, end);
        var ids = EventIdTable.ConstantsOf(Table(assembly, table)).Select(c => c.Id).ToHashSet();
        var messages = EventIdTable.LoggerMessages(Assembly.Load(assembly));
        var unknown = messages.Where(m => !ids.Contains(m.Id)).Select(m => $"{m.Name}: {m.Id}");
        var twice = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"id {g.Key}: {string.Join(", ", g.Select(m => m.Name))}");

        Assert.NotEmpty(messages);
        Assert.Empty(unknown.Concat(twice));
    }

    [Fact]
    public void FindProblems_DeliberatelyBadTable_ReportsTheDuplicateAndTheOutOfRangeId()
    {
        var bad = new List<(string Name, int Id)> { ("A", 3000), ("B", 3000), ("C", 2150) };

        var problems = EventIdTable.FindProblems(bad, 3000, 3099);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("3000", StringComparison.Ordinal) && p.Contains('A') && p.Contains('B'));
        Assert.Contains(problems, p => p.Contains("2150", StringComparison.Ordinal) && p.Contains('C'));
    }

    private static Type Table(string assembly, string table) =>
        Assembly.Load(assembly).GetType(table, throwOnError: true)!;
}
