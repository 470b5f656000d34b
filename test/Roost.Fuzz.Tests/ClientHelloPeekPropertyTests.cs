using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using Roost.FuzzTargets;
using Roost.Server.Internal;

namespace Roost.Fuzz.Tests;

/// <summary>
/// ClientHelloPeek.Inspect as properties: on generated ClientHellos it finds TLS 1.3 exactly when the first
/// supported_versions extension lists it (whatever else the hello holds, however the bytes are segmented); on
/// arbitrary, truncated and mutated hellos (captured from openssl and curl) it never throws and asks for more bytes
/// only while the first record (at most 5 + 16,384 bytes) is incomplete.
/// </summary>
public sealed class ClientHelloPeekPropertyTests
{
    private const ushort SupportedVersions = 0x002b;

    /// <summary>A ClientHello built from parts, with what the peek must answer for it.</summary>
    private sealed record Hello(byte[] Bytes, ClientHelloPeek.Outcome Expected);

    private static readonly Gen<(ushort Type, byte[] Data)> OtherExtension =
        Gen.Select(Gen.UShort.Where(t => t != SupportedVersions), Gen.Byte.Array[0, 40], (type, data) => (type, data));

    private static readonly Gen<ushort[]> Versions = Gen.OneOf<ushort>(0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c, 0x0a0a, 0xfefd).Array[0, 6];

    private static readonly Gen<Hello> Hellos =
        from sessionId in Gen.Byte.Array[0, 32]
        from suites in Gen.UShort.Array[1, 20]
        from before in OtherExtension.Array[0, 5]
        from versions in Versions
        from hasVersions in Gen.Bool
        from after in OtherExtension.Array[0, 5]
        from laterVersions in Versions
        select Build(sessionId, suites, before, hasVersions ? versions : null, after, laterVersions);

    [Fact]
    public void GeneratedHello_IsMarkedExactlyWhenItsFirstSupportedVersionsListsTls13()
    {
        Property.Check(Gen.Select(Hellos, Gen.Int[0, 600], Gen.Int[0, 600]), input =>
        {
            var (hello, cut1, cut2) = input;
            Assert.Equal(hello.Expected, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello.Bytes)));

            var first = Math.Min(cut1, hello.Bytes.Length);
            var second = Math.Max(first, Math.Min(cut2, hello.Bytes.Length));
            Assert.Equal(hello.Expected, ClientHelloPeek.Inspect(ClientHelloTarget.Segments(hello.Bytes, first, second)));
        }, iterations: 3000);
    }

    [Fact]
    public void TruncatedHello_NeedsMoreUntilTheRecordIsComplete()
    {
        Property.Check(Gen.Select(Hellos, Gen.Int[0, int.MaxValue]), input =>
        {
            var (hello, cut) = input;
            var length = cut % hello.Bytes.Length;
            Assert.Equal(ClientHelloPeek.Outcome.NeedMore, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello.Bytes, 0, length)));
        }, iterations: 2000);
    }

    [Fact]
    public void ArbitraryBytes_NeverThrow_AndLookAheadIsBounded()
    {
        Property.Check(Gen.Byte.Array[0, 600], bytes => ClientHelloTarget.Run(bytes), iterations: 5000);

        // A header that claims the largest record, followed by garbage: decided once 5 + 16,384 bytes are there.
        Property.Check(Gen.Byte.Array[ClientHelloTarget.MaxLookAhead - 5, ClientHelloTarget.MaxLookAhead + 50], body =>
        {
            byte[] bytes = [0x16, 0x03, 0x01, 0x40, 0x00, .. body];
            var outcome = ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(bytes));
            Assert.Equal(bytes.Length < ClientHelloTarget.MaxLookAhead, outcome == ClientHelloPeek.Outcome.NeedMore);
        }, iterations: 200);
    }

    [Fact]
    public void MutatedCapturedHellos_NeverThrow()
    {
        var captured = FuzzFiles.SeedPayloads("clienthello");
        Assert.True(captured.Count >= 3, "the clienthello seed corpus is missing");
        Property.Check(Gen.Select(Mutations.Of(captured), Gen.Byte), input =>
        {
            var (bytes, cut) = input;
            ClientHelloTarget.Run([cut, .. bytes]);
        }, iterations: 5000);
    }

    [Fact]
    public void MutatedGeneratedHellos_NeverThrow()
    {
        Property.Check(Gen.Select(Mutations.Of(Hellos.Select(h => h.Bytes)), Gen.Byte), input =>
        {
            var (bytes, cut) = input;
            ClientHelloTarget.Run([cut, .. bytes]);
        }, iterations: 5000);
    }

    private static Hello Build(byte[] sessionId, ushort[] suites, (ushort Type, byte[] Data)[] before, ushort[]? versions, (ushort Type, byte[] Data)[] after, ushort[] laterVersions)
    {
        var extensions = new List<byte>();
        foreach (var (type, data) in before)
        {
            AddExtension(extensions, type, data);
        }

        if (versions is not null)
        {
            AddExtension(extensions, SupportedVersions, [(byte)(versions.Length * 2), .. versions.SelectMany(BigEndian)]);
        }

        foreach (var (type, data) in after)
        {
            AddExtension(extensions, type, data);
        }

        // A second supported_versions after the first: the peek decides on the first one it meets.
        AddExtension(extensions, SupportedVersions, [(byte)(laterVersions.Length * 2), .. laterVersions.SelectMany(BigEndian)]);

        List<byte> body = [0x03, 0x03, .. new byte[32], (byte)sessionId.Length, .. sessionId];
        body.AddRange(BigEndian((ushort)(suites.Length * 2)));
        body.AddRange(suites.SelectMany(BigEndian));
        body.AddRange([1, 0]); // compression methods: null only
        body.AddRange(BigEndian((ushort)extensions.Count));
        body.AddRange(extensions);

        List<byte> handshake = [0x01, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count, .. body];
        byte[] record = [0x16, 0x03, 0x01, .. BigEndian((ushort)handshake.Count), .. handshake];

        var expected = versions is not null
            ? versions.Contains((ushort)0x0304) ? ClientHelloPeek.Outcome.OffersTls13 : ClientHelloPeek.Outcome.Other
            : laterVersions.Contains((ushort)0x0304) ? ClientHelloPeek.Outcome.OffersTls13 : ClientHelloPeek.Outcome.Other;
        return new Hello(record, expected);
    }

    private static void AddExtension(List<byte> extensions, ushort type, byte[] data)
    {
        extensions.AddRange(BigEndian(type));
        extensions.AddRange(BigEndian((ushort)data.Length));
        extensions.AddRange(data);
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
