using System.Globalization;
using System.Text.Json;

namespace Roost.Cli.Configuration;

/// <summary>
/// How values of one .NET type are read from an environment variable or the file, written back (for
/// <c>config show</c>, the systemd unit's command line and the JSON schema) and described in the schema.
/// </summary>
/// <typeparam name="T">The value type (the type of the command-line option).</typeparam>
internal abstract class SettingType<T>
{
    /// <summary>Parses the text of an environment variable.</summary>
    public abstract bool TryParse(string text, out T value);

    /// <summary>Reads a value of the file; by default a JSON string parsed as text.</summary>
    public virtual bool TryRead(JsonElement element, out T value)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return TryParse(element.GetString()!, out value);
        }

        value = default!;
        return false;
    }

    /// <summary>Formats a value as it would be typed after the option.</summary>
    public abstract string Format(T value);

    /// <summary>Writes a value as JSON.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, T value);

    /// <summary>Writes the schema keywords that constrain the value (type, range, enum).</summary>
    public abstract void WriteSchema(Utf8JsonWriter writer);

    /// <summary>The command-line tokens that give <paramref name="value"/> to <paramref name="flag"/>.</summary>
    public virtual IEnumerable<string> ToArguments(string flag, T value) => [flag, Format(value)];
}

/// <summary>Whole numbers in a range (ports, counts).</summary>
internal sealed class IntegerType(long minimum, long maximum) : SettingType<int>
{
    public override bool TryParse(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public override bool TryRead(JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    public override string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public override void WriteJson(Utf8JsonWriter writer, int value) => writer.WriteNumberValue(value);

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", minimum);
        writer.WriteNumber("maximum", maximum);
    }
}

/// <summary>Optional whole numbers (off when not set): request counts, megabytes.</summary>
internal sealed class OptionalLongType(long minimum) : SettingType<long?>
{
    public override bool TryParse(string text, out long? value)
    {
        var ok = long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed);
        value = ok ? parsed : null;

        return ok;
    }

    public override bool TryRead(JsonElement element, out long? value)
    {
        long parsed = 0;
        var ok = element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out parsed);
        value = ok ? parsed : null;
        return ok;
    }

    public override string Format(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    public override void WriteJson(Utf8JsonWriter writer, long? value) => writer.WriteNumberValue(value ?? 0);

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", minimum);
    }
}

/// <summary>Numbers of seconds (fractions allowed).</summary>
internal sealed class SecondsType(double minimum, double maximum) : SettingType<double>
{
    public override bool TryParse(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    public override bool TryRead(JsonElement element, out double value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    public override string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    public override void WriteJson(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "number");
        writer.WriteNumber("minimum", minimum);
        writer.WriteNumber("maximum", maximum);
    }
}

/// <summary>
/// Text. With <paramref name="acceptNumbers"/> a JSON number is taken as its text too (<c>"workers": 4</c>,
/// <c>"max-age": 3600</c>); <paramref name="schema"/> writes the schema keywords when plain "string" is not enough.
/// </summary>
internal sealed class TextType(bool acceptNumbers = false, Action<Utf8JsonWriter>? schema = null) : SettingType<string?>
{
    public override bool TryParse(string text, out string? value)
    {
        value = text;
        return true;
    }

    public override bool TryRead(JsonElement element, out string? value)
    {
        if (acceptNumbers && element.ValueKind == JsonValueKind.Number)
        {
            value = element.GetRawText();
            return true;
        }

        return base.TryRead(element, out value);
    }

    public override string Format(string? value) => value ?? string.Empty;

    public override void WriteJson(Utf8JsonWriter writer, string? value) => writer.WriteStringValue(value);

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        if (schema is not null)
        {
            schema(writer);
            return;
        }

        writer.WriteString("type", "string");
    }
}

/// <summary>One of a few words (<c>text</c>/<c>json</c>, TLS policies); matched case-insensitively.</summary>
internal sealed class ChoiceType(params string[] values) : SettingType<string?>
{
    public IReadOnlyList<string> Values { get; } = values;

    public override bool TryParse(string text, out string? value)
    {
        value = values.FirstOrDefault(v => string.Equals(v, text.Trim(), StringComparison.OrdinalIgnoreCase)) ?? text;
        return true;
    }

    public override string Format(string? value) => value ?? string.Empty;

    public override void WriteJson(Utf8JsonWriter writer, string? value) => writer.WriteStringValue(value);

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "string");
        writer.WriteStartArray("enum");
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}

/// <summary>true/false (environment: true, false, 1, 0, yes, no, on, off).</summary>
internal sealed class BooleanType : SettingType<bool>
{
    public override bool TryParse(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public override bool TryRead(JsonElement element, out bool value)
    {
        value = element.ValueKind == JsonValueKind.True;
        return element.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }

    public override string Format(bool value) => value ? "true" : "false";

    public override void WriteJson(Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(value);

    public override void WriteSchema(Utf8JsonWriter writer) => writer.WriteString("type", "boolean");
}

/// <summary>
/// A list of texts (files, SNI entries): a JSON array of strings; in an environment variable the items are separated
/// by <c>;</c>; on the command line the option is repeated.
/// </summary>
internal sealed class TextListType : SettingType<string[]>
{
    public const char Separator = ';';

    public override bool TryParse(string text, out string[] value)
    {
        value = text.Split(Separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return true;
    }

    public override bool TryRead(JsonElement element, out string[] value)
    {
        value = [];
        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        value = [.. element.EnumerateArray().Select(e => e.GetString()!)];
        return true;
    }

    public override string Format(string[] value) => string.Join(Separator, value);

    public override void WriteJson(Utf8JsonWriter writer, string[] value)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    public override void WriteSchema(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
    }

    public override IEnumerable<string> ToArguments(string flag, string[] value) => value.SelectMany(item => new[] { flag, item });
}
