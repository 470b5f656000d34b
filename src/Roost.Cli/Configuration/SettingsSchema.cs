using System.Text.Encodings.Web;
using System.Text.Json;

namespace Roost.Cli.Configuration;

/// <summary>
/// The JSON schema of the configuration file, written from <see cref="RoostSettings"/> (draft-07, which editors
/// complete and check with). <c>roost config schema</c> prints it; docs/roost.schema.json is a copy a test keeps equal.
/// </summary>
internal static class SettingsSchema
{
    /// <summary>Returns the schema, indented, ending with a newline.</summary>
    public static string Write()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            writer.WriteString("title", "roost.json");
            writer.WriteString("description", "Settings of roost serve and roost run (docs/cli.md). Each key is the option's name without '--'; ROOST_<NAME> variables and options override the file. Comments are allowed.");
            writer.WriteString("type", "object");
            writer.WriteBoolean("additionalProperties", false);
            writer.WriteStartObject("properties");
            writer.WriteStartObject(ConfigFile.SchemaKey);
            writer.WriteString("description", "The schema this file follows (for editors); roost ignores it.");
            writer.WriteString("type", "string");
            writer.WriteEndObject();
            foreach (var setting in RoostSettings.All)
            {
                WriteProperty(writer, setting);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteProperty(Utf8JsonWriter writer, Setting setting)
    {
        writer.WriteStartObject(setting.Key);
        var scope = setting.Scope switch
        {
            SettingScope.Serve => " roost serve only.",
            SettingScope.Run => " roost run only.",
            _ => string.Empty,
        };
        var option = setting.IsArgument ? $"the argument of roost run ({setting.OptionName})" : setting.OptionName;
        writer.WriteString("description", $"{setting.Description}{scope} Option: {option}; environment: {setting.EnvironmentVariable}.");
        if (setting.DefaultScope == SettingScope.Both && setting.DefaultValue is { } value && value is not string[] { Length: 0 })
        {
            writer.WritePropertyName("default");
            setting.WriteJson(writer, value);
        }

        setting.WriteSchema(writer);
        writer.WriteEndObject();
    }
}
