using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Roost.SharedState.Internal;

/// <summary>
/// One open SQLite connection with its commands, prepared once per SQL text and reused: the store keeps a few idle
/// ones instead of opening a pooled connection (and re-running its pragmas and re-preparing every statement) per
/// operation. Used by one thread at a time.
/// </summary>
internal sealed partial class SqliteLease(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Gets the command for <paramref name="sql"/>, created with one parameter per <c>$name</c> in it.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in ParameterName().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                command.Parameters.Add(name, name switch { "$value" => SqliteType.Blob, "$key" => SqliteType.Text, _ => SqliteType.Integer });
            }

            _commands[sql] = command;
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        Connection.Dispose();
    }

    [GeneratedRegex(@"\$[a-z]+")]
    private static partial Regex ParameterName();
}
