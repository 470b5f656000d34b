using System.Text.Json;

namespace Roost.SharedState;

/// <summary>A message received through <see cref="SharedBroadcast"/>.</summary>
/// <param name="message">The JSON value.</param>
/// <param name="isFromSelf">Whether this process sent it.</param>
public sealed class BroadcastReceivedEventArgs(JsonElement message, bool isFromSelf) : EventArgs
{
    /// <summary>Gets the message.</summary>
    public JsonElement Message { get; } = message;

    /// <summary>Gets a value indicating whether this process sent it (its own message coming back).</summary>
    public bool IsFromSelf { get; } = isFromSelf;
}
