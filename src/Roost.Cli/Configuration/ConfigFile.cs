using System.Text.Json;

namespace Roost.Cli.Configuration;

/// <summary>
/// The configuration file: a JSON object (comments and trailing commas allowed) whose keys are the settings' keys.
/// Reading reports every problem of the file itself (missing, not JSON, not an object, a key given twice, an unknown
/// key with a suggestion, a key of the other command); the values are checked by <see cref="SettingsBinder"/>.
/// </summary>
internal sealed class ConfigFile : IDisposable
{
    /// <summary>The file read from the working directory when neither --config nor ROOST_CONFIG names one.</summary>
    public const string DefaultFileName = "roost.json";

    /// <summary>The key editors use to find the schema; allowed and ignored.</summary>
    public const string SchemaKey = "$schema";

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly JsonDocument _document;

    private ConfigFile(string displayPath, string fullPath, JsonDocument document, IReadOnlyDictionary<string, JsonElement> values)
    {
        DisplayPath = displayPath;
        FullPath = fullPath;
        _document = document;
        Values = values;
    }

    /// <summary>Gets the path as the user gave it (messages and <c>config show</c> use it).</summary>
    public string DisplayPath { get; }

    /// <summary>Gets the absolute path.</summary>
    public string FullPath { get; }

    /// <summary>Gets the folder relative paths in the file are resolved against.</summary>
    public string Directory => Path.GetDirectoryName(FullPath)!;

    /// <summary>Gets the settings' values by key (only keys of this command).</summary>
    public IReadOnlyDictionary<string, JsonElement> Values { get; }

    /// <summary>Reads and checks the file; problems are added to <paramref name="problems"/>.</summary>
    /// <param name="displayPath">The path as given.</param>
    /// <param name="fullPath">The absolute path.</param>
    /// <param name="via">Where the path came from, for the not-found message ("option --config").</param>
    /// <param name="command">The command reading it (keys of the other command are errors).</param>
    /// <param name="problems">Collects the problems.</param>
    /// <returns>The file, or <see langword="null"/> when it could not be read as a JSON object.</returns>
    public static ConfigFile? Load(string displayPath, string fullPath, string via, SettingScope command, List<string> problems)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add($"Configuration file '{displayPath}' ({via}) does not exist. Check the path; relative paths are resolved against the working directory.");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"Configuration file '{displayPath}' ({via}) cannot be read: {ex.Message} Make it readable by the user roost runs as.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException ex)
        {
            // The reader's message ends with its own "LineNumber: 2 | BytePositionInLine: 4." (0-based): say it once, 1-based.
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            message = cut > 0 ? message[..cut] : message;
            problems.Add($"{displayPath}: line {ex.LineNumber + 1}, column {ex.BytePositionInLine + 1}: not valid JSON: {message} Comments (// and /* */) and trailing commas are allowed.");
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{displayPath}: must be a JSON object such as {{ \"port\": 8443 }}; got {Describe(document.RootElement.ValueKind)}.");
            document.Dispose();
            return null;
        }

        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == SchemaKey)
            {
                continue;
            }

            var setting = RoostSettings.Find(property.Name);
            if (setting is null)
            {
                problems.Add(UnknownKey(displayPath, property.Name, command));
            }
            else if (!setting.AppliesTo(command))
            {
                var other = setting.Scope == SettingScope.Run ? "run" : "serve";
                problems.Add($"{displayPath}: {property.Name}: only roost {other} takes this setting; remove it from the file, or use roost {other}.");
            }
            else if (!values.TryAdd(property.Name, property.Value))
            {
                problems.Add($"{displayPath}: {property.Name}: given twice; keep one.");
            }
        }

        return new ConfigFile(displayPath, fullPath, document, values);
    }

    public void Dispose() => _document.Dispose();

    private static string UnknownKey(string displayPath, string key, SettingScope command)
    {
        var keys = RoostSettings.All.Where(s => s.AppliesTo(command)).Select(s => s.Key);
        return DidYouMean.Suggest(key, keys) is { } suggestion
            ? $"{displayPath}: {key}: unknown setting; did you mean {suggestion}?"
            : $"{displayPath}: {key}: unknown setting. The keys are the options' names without '--' (roost {(command == SettingScope.Run ? "run" : "serve")} --help, docs/cli.md).";
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
