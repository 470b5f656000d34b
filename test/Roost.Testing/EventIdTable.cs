using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Roost.Testing;

/// <summary>Reads an assembly's event-id table and its <c>[LoggerMessage]</c> ids, and finds what is wrong with a table (CONTRIBUTING.md §8.2).</summary>
public static class EventIdTable
{
    /// <summary>The <c>const int</c> fields of <paramref name="type"/>: the table's names and ids.</summary>
    public static List<(string Name, int Id)> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (f.Name, (int)f.GetRawConstantValue()!))
            .ToList();

    /// <summary>Every <c>[LoggerMessage]</c> method of <paramref name="assembly"/> with its event id.</summary>
    public static List<(string Name, int Id)> LoggerMessages(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => ($"{x.Method.DeclaringType?.FullName}.{x.Method.Name}", x.Attribute!.EventId))
            .ToList();

    /// <summary>One line per id used twice and per id outside <paramref name="start"/>–<paramref name="end"/>.</summary>
    public static List<string> FindProblems(IEnumerable<(string Name, int Id)> table, int start, int end)
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
