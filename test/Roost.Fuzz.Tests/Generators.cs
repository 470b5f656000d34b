using System.Globalization;
using System.Text.Json;
using CsCheck;
using Roost.Control;
using Roost.Internal.Control;
using Roost.Internal.Ipc;

namespace Roost.Fuzz.Tests;

/// <summary>Generators for every IPC message and control-protocol shape, with arbitrary field values.</summary>
internal static class Generators
{
    /// <summary>Text as it reaches these fields: any Unicode scalar values (paths, messages), newlines and quotes included.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.String[Gen.Char["abcxyz0129 .:/-_'\"\\\n\r\t{}[]"], 0, 20]),
        (1, Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Array[0, 8].Select(cs => string.Concat(cs.Select(char.ConvertFromUtf32)))));

    public static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Const((string?)null)), (3, Text.Select(t => (string?)t)));

    public static readonly Gen<JsonElement> Json = JsonText(3).Select(text =>
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    });

    public static readonly Gen<CertificateReport> CertificateReport =
        Gen.Select(Text, Text, Gen.OneOf("unchanged", "reloaded", "rejected"), Text, Text, Text.Array[0, 3],
            (server, name, status, oldSerial, newSerial, errors) => new CertificateReport(server, name, status, oldSerial, newSerial, errors));

    /// <summary>One generator per IPC message type (the test checks that every <c>[JsonDerivedType]</c> has one).</summary>
    public static readonly IReadOnlyDictionary<Type, Gen<IpcMessage>> IpcMessages = new Dictionary<Type, Gen<IpcMessage>>
    {
        [typeof(OnlineMessage)] = Gen.Int.Select(pid => (IpcMessage)new OnlineMessage(pid)),
        [typeof(ListenRequestMessage)] = Gen.Select(Gen.Int, Text, Gen.Int, (id, address, port) => (IpcMessage)new ListenRequestMessage(id, address, port)),
        [typeof(ListenResponseMessage)] = Gen.Select(Gen.Int, Gen.Bool, OptionalText, Gen.Bool, (id, has, error, handoff) => (IpcMessage)new ListenResponseMessage(id, has, error, handoff)),
        [typeof(ListeningMessage)] = Gen.Select(Text, Gen.Int, (address, port) => (IpcMessage)new ListeningMessage(address, port)),
        [typeof(HeartbeatMessage)] = Gen.Select(Gen.Long, Gen.Long, (sequence, requests) => (IpcMessage)new HeartbeatMessage(sequence, requests)),
        [typeof(StopMessage)] = Gen.Select(Gen.Long, Gen.Bool, Gen.Bool, (drain, removed, ready) => (IpcMessage)new StopMessage(drain, removed, ready)),
        [typeof(UserMessage)] = Json.Select(payload => (IpcMessage)new UserMessage(payload)),
        [typeof(ConnectionMessage)] = Text.Select(endPoint => (IpcMessage)new ConnectionMessage(endPoint)),
        [typeof(LoadMessage)] = Gen.Long.Select(closed => (IpcMessage)new LoadMessage(closed)),
        [typeof(BroadcastMessage)] = Gen.Select(Json, Gen.Int, (payload, sender) => (IpcMessage)new BroadcastMessage(payload, sender)),
        [typeof(ReloadCertificatesMessage)] = Gen.Int.Select(id => (IpcMessage)new ReloadCertificatesMessage(id)),
        [typeof(CertificatesReloadedMessage)] = Gen.Select(Gen.Int, CertificateReport.Array[0, 3], OptionalText, (id, reports, error) => (IpcMessage)new CertificatesReloadedMessage(id, reports, error)),
        [typeof(SpareWaitingMessage)] = Gen.Const<IpcMessage>(new SpareWaitingMessage()),
        [typeof(PromoteMessage)] = Gen.Int.Select(slot => (IpcMessage)new PromoteMessage(slot)),
    };

    public static readonly Gen<IpcMessage> IpcMessage = Gen.OneOf([.. IpcMessages.Values]);

    private static readonly Gen<int?> OptionalInt = Gen.Frequency((1, Gen.Const((int?)null)), (2, Gen.Int.Select(i => (int?)i)));

    /// <summary>One generator per control request type.</summary>
    public static readonly IReadOnlyDictionary<Type, Gen<ControlRequest>> ControlRequests = new Dictionary<Type, Gen<ControlRequest>>
    {
        [typeof(ControlRequest.Status)] = Gen.Const<ControlRequest>(new ControlRequest.Status()),
        [typeof(ControlRequest.Reload)] = Gen.Bool.Select(certsOnly => (ControlRequest)new ControlRequest.Reload(certsOnly)),
        [typeof(ControlRequest.Scale)] = Gen.Select(OptionalInt, OptionalInt, (workers, delta) => (ControlRequest)new ControlRequest.Scale(workers, delta)),
        [typeof(ControlRequest.Stop)] = Gen.Frequency((1, Gen.Const((double?)null)), (2, Gen.Double.Where(double.IsFinite).Select(d => (double?)d)))
            .Select(timeout => (ControlRequest)new ControlRequest.Stop(timeout)),
    };

    public static readonly Gen<ControlRequest> ControlRequest = Gen.OneOf([.. ControlRequests.Values]);

    private static readonly Gen<DateTimeOffset> Time = Gen.Long[0, 4_000_000_000_000].Select(ms => DateTimeOffset.FromUnixTimeMilliseconds(ms));

    private static readonly Gen<WorkerStatus> WorkerStatus =
        Gen.Select(Gen.Int, Gen.Int, OptionalInt, Gen.Int, Text, Time, Gen.Double.Where(double.IsFinite), Gen.Long,
            (id, pid, slot, generation, state, started, uptime, requests) => new WorkerStatus(id, pid, slot, generation, state, started, uptime, requests, null, 0));

    /// <summary>One generator per control response type.</summary>
    public static readonly IReadOnlyDictionary<Type, Gen<ControlResponse>> ControlResponses = new Dictionary<Type, Gen<ControlResponse>>
    {
        [typeof(ControlResponse.Progress)] = Gen.Select(Text, Text, OptionalInt, OptionalInt, OptionalInt, (e, m, w, p, g) => (ControlResponse)new ControlResponse.Progress(e, m, w, p, g)),
        [typeof(ControlResponse.StatusReport)] = Gen.Select(Text, Gen.Int, Time, Gen.Int, Gen.Int, OptionalText, Text, WorkerStatus.Array[0, 3],
            (name, pid, started, generation, target, operation, state, workers) => (ControlResponse)new ControlResponse.StatusReport(name, pid, started, generation, target, operation, state, workers)),
        [typeof(ControlResponse.Result)] = Gen.Select(Text, Text, Gen.Bool, OptionalText, OptionalInt, OptionalInt, OptionalInt, OptionalInt,
            (operation, outcome, ok, message, generation, workers, previous, exit) => (ControlResponse)new ControlResponse.Result(operation, outcome, ok, message, generation, workers, previous, exit)),
        [typeof(ControlResponse.Error)] = Gen.Select(Text, Text, (code, message) => (ControlResponse)new ControlResponse.Error(code, message)),
    };

    public static readonly Gen<ControlResponse> ControlResponse = Gen.OneOf([.. ControlResponses.Values]);

    private static Gen<string> JsonText(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Long.Select(i => i.ToString(CultureInfo.InvariantCulture)),
            Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
            Gen.OneOf("true", "false", "null"),
            Text.Select(Quote));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = JsonText(depth - 1);
        return Gen.Frequency(
            (4, scalar),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Text, inner).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}")));
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, IpcJsonContext.Default.String);
}
