using System.Reflection;
using Microsoft.Extensions.Logging;
using Roost.Internal;

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
        var problems = FindProblems(ConstantsOf(typeof(ClusterEventIds)), RangeStart, RangeEnd);

        Assert.Empty(problems);
    }

    [Fact]
    public void Table_LeavesTheStartupHookRangeFree()
    {
        // 2150–2159 belong to the roost run startup hook (Roost.StartupHook's RunEventIds).
        var inHookRange = ConstantsOf(typeof(ClusterEventIds)).Where(c => c.Id is >= 2150 and <= 2159).Select(c => $"{c.Name} = {c.Id}");

        Assert.Empty(inHookRange);
    }

    [Fact]
    public void LoggerMessages_UseIdsFromTheTable()
    {
        var table = ConstantsOf(typeof(ClusterEventIds)).Select(c => c.Id).ToHashSet();
        var unknown = typeof(ClusterEventIds).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null && !table.Contains(x.Attribute.EventId))
            .Select(x => $"{x.Method.DeclaringType?.Name}.{x.Method.Name}: {x.Attribute!.EventId}")
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void FindProblems_DeliberatelyBadTable_ReportsTheDuplicateAndTheOutOfRangeId()
    {
        var bad = new List<(string Name, int Id)> { ("A", 2000), ("B", 2000), ("C", 3500) };

        var problems = FindProblems(bad, RangeStart, RangeEnd);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("2000", StringComparison.Ordinal) && p.Contains('A') && p.Contains('B'));
        Assert.Contains(problems, p => p.Contains("3500", StringComparison.Ordinal) && p.Contains('C'));
    }

    private static List<(string Name, int Id)> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (f.Name, (int)f.GetRawConstantValue()!))
            .ToList();

    private static List<string> FindProblems(IEnumerable<(string Name, int Id)> table, int start, int end)
    {
        var problems = new List<string>();
        foreach (var group in table.GroupBy(c => c.Id).Where(g => g.Count() > 1))
        {
            problems.Add($"id {group.Key} is used by {string.Join(", ", group.Select(c => c.Name))}");
        }

        foreach (var (name, id) in table.Where(c => c.Id < start || c.Id > end))
        {
            problems.Add($"{name} = {id} is outside {start}–{end}");
        }

        return problems;
    }
}
