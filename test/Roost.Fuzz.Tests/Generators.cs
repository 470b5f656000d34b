using System.Globalization;
using System.Text.Json;
using CsCheck;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Metrics;
using Roost.Control;

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
        [typeof(ConnectionReceivedMessage)] = Text.Select(endPoint => (IpcMessage)new ConnectionReceivedMessage(endPoint)),
        [typeof(LoadMessage)] = Gen.Long.Select(closed => (IpcMessage)new LoadMessage(closed)),
        [typeof(BroadcastMessage)] = Gen.Select(Json, Gen.Int, (payload, sender) => (IpcMessage)new BroadcastMessage(payload, sender)),
        [typeof(ReloadCertificatesMessage)] = Gen.Int.Select(id => (IpcMessage)new ReloadCertificatesMessage(id)),
        [typeof(CertificatesReloadedMessage)] = Gen.Select(Gen.Int, CertificateReport.Array[0, 3], OptionalText, (id, reports, error) => (IpcMessage)new CertificatesReloadedMessage(id, reports, error)),
        [typeof(SpareWaitingMessage)] = Gen.Const<IpcMessage>(new SpareWaitingMessage()),
        [typeof(PromoteMessage)] = Gen.Int.Select(slot => (IpcMessage)new PromoteMessage(slot)),
        [typeof(TlsFilesMessage)] = Gen.Select(Text, Gen.Frequency((1, Gen.Const((byte[]?)null)), (3, Gen.Byte.Array[0, 64].Select(b => (byte[]?)b))), OptionalText, (path, data, error) => new TlsFileContent(path, data, error))
            .Array[0, 3].Select(files => (IpcMessage)new TlsFilesMessage(files)),
        [typeof(TicketKeysMessage)] = Gen.Select(Text.Array[0, 3], Gen.Long, (keys, generation) => (IpcMessage)new TicketKeysMessage(keys, generation)),
        [typeof(AcmeChallengeMessage)] = Gen.Select(Text, OptionalText, (name, digest) => (IpcMessage)new AcmeChallengeMessage(name, digest)),
        [typeof(AcmeChallengeHeldMessage)] = Gen.Select(Text, Text, (name, digest) => (IpcMessage)new AcmeChallengeHeldMessage(name, digest)),
    };

    public static readonly Gen<IpcMessage> IpcMessage = Gen.OneOf([.. IpcMessages.Values]);

    private static readonly Gen<int?> OptionalInt = Gen.Frequency((1, Gen.Const((int?)null)), (2, Gen.Int.Select(i => (int?)i)));

    /// <summary>One generator per control request type.</summary>
    public static readonly IReadOnlyDictionary<Type, Gen<ControlRequest>> ControlRequests = new Dictionary<Type, Gen<ControlRequest>>
    {
        [typeof(ControlRequest.Status)] = Gen.Const<ControlRequest>(new ControlRequest.Status()),
        [typeof(ControlRequest.Recycle)] = Gen.Int.Select(id => (ControlRequest)new ControlRequest.Recycle(id)),
        [typeof(ControlRequest.Metrics)] = Gen.Const<ControlRequest>(new ControlRequest.Metrics()),
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

    private static readonly Gen<double> Finite = Gen.Double.Where(double.IsFinite);

    private static readonly Gen<double?> OptionalFinite = Gen.Frequency((1, Gen.Const((double?)null)), (2, Finite.Select(d => (double?)d)));

    private static readonly Gen<long?> OptionalLong = Gen.Frequency((1, Gen.Const((long?)null)), (2, Gen.Long.Select(l => (long?)l)));

    private static readonly Gen<ProcessUsage> Usage = Gen.Select(OptionalFinite, OptionalLong, (cpu, rss) => new ProcessUsage(cpu, rss));

    private static readonly Gen<RequestCounts> Counts = Gen.Select(Gen.Long.Array[12], Gen.Long.Array[0, 4], Finite, Gen.Long.Array[0, 3], Gen.Long.Array[7],
        (n, buckets, sum, gc, r) => new RequestCounts(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], buckets, sum, [],
            new RuntimeCounts(gc, r[0], r[1], r[2], r[3], r[4], r[5], r[6])));

    private static readonly Gen<RecentRates> Recent = Gen.Select(Finite.Array[6], OptionalFinite, OptionalFinite,
        (r, p50, p99) => new RecentRates(r[0], r[1], r[2], r[3], r[4], r[5], p50, p99));

    private static readonly Gen<WorkerMetrics> WorkerMetrics = Gen.Select(Gen.Int.Array[4], OptionalInt, Text, Time, Finite, Usage, Counts, Recent,
        (i, slot, state, started, uptime, usage, counts, recent) => new WorkerMetrics(i[0], i[1], slot, i[2], state, started, uptime, i[3], usage, counts, recent));

    private static readonly Gen<SupervisionEntry> SupervisionEntry = Gen.Select(Time, Gen.Int, Text, Text, Text, OptionalInt,
        (time, id, name, level, message, worker) => new SupervisionEntry(time, id, name, level, message, worker));

    private static readonly Gen<MetricsSnapshot> MetricsSnapshot = Gen.Select(
        Gen.Select(Text, Gen.Int.Array[3], Time, Time, Text, OptionalText, Usage, (name, i, time, started, state, operation, primary) => (name, i, time, started, state, operation, primary)),
        WorkerMetrics.Array[0, 2],
        Gen.Select(Gen.Int, Counts, (slot, counts) => new SlotMetrics(slot, counts)).Array[0, 2],
        Gen.Select(Counts, Recent, Usage, (counts, recent, usage) => new TotalMetrics(counts, recent, usage)),
        Finite.Array[0, 4],
        Gen.Long.Array[10],
        SupervisionEntry.Array[0, 3],
        (head, workers, slots, totals, bounds, s, events) => new MetricsSnapshot(
            head.name, head.i[0], head.time, head.started, head.i[1], head.i[2], head.state, head.operation, head.primary, workers, slots, totals, bounds,
            new SupervisionCounts(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]), events));

    /// <summary>One generator per control response type.</summary>
    public static readonly IReadOnlyDictionary<Type, Gen<ControlResponse>> ControlResponses = new Dictionary<Type, Gen<ControlResponse>>
    {
        [typeof(ControlResponse.Progress)] = Gen.Select(Text, Text, OptionalInt, OptionalInt, OptionalInt, (e, m, w, p, g) => (ControlResponse)new ControlResponse.Progress(e, m, w, p, g)),
        [typeof(ControlResponse.StatusReport)] = Gen.Select(Text, Gen.Int, Time, Gen.Int, Gen.Int, OptionalText, Text, WorkerStatus.Array[0, 3],
            (name, pid, started, generation, target, operation, state, workers) => (ControlResponse)new ControlResponse.StatusReport(name, pid, started, generation, target, operation, state, workers)),
        [typeof(ControlResponse.Result)] = Gen.Select(Text, Text, Gen.Bool, OptionalText, OptionalInt, OptionalInt, OptionalInt, OptionalInt,
            (operation, outcome, ok, message, generation, workers, previous, exit) => (ControlResponse)new ControlResponse.Result(operation, outcome, ok, message, generation, workers, previous, exit)),
        [typeof(ControlResponse.Error)] = Gen.Select(Text, Text, (code, message) => (ControlResponse)new ControlResponse.Error(code, message)),
        [typeof(ControlResponse.MetricsReport)] = MetricsSnapshot.Select(m => (ControlResponse)new ControlResponse.MetricsReport(m)),
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
