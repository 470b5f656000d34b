using CsCheck;

namespace Roost.Fuzz.Tests;

/// <summary>Byte-level mutations of a valid input, as a fuzzer makes them: bit flips, overwritten bytes, cuts, inserts, duplicated runs.</summary>
internal static class Mutations
{
    private enum Kind
    {
        FlipBit,
        SetByte,
        Delete,
        Insert,
        Truncate,
        Duplicate,
    }

    /// <summary>One to <paramref name="maxSteps"/> mutations of one of <paramref name="seeds"/>.</summary>
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds, int maxSteps = 6) => Of(Gen.OneOf([.. seeds]), maxSteps);

    /// <summary>One to <paramref name="maxSteps"/> mutations of a generated input.</summary>
    public static Gen<byte[]> Of(Gen<byte[]> seed, int maxSteps = 6) =>
        Gen.Select(seed, Gen.Select(Gen.Enum<Kind>(), Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, maxSteps], Apply);

    private static byte[] Apply(byte[] seed, (Kind Kind, int Where, byte Value)[] steps)
    {
        var bytes = new List<byte>(seed);
        foreach (var (kind, where, value) in steps)
        {
            var at = bytes.Count == 0 ? 0 : where % bytes.Count;
            switch (kind)
            {
                case Kind.FlipBit when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (value % 8));
                    break;
                case Kind.SetByte when bytes.Count > 0:
                    bytes[at] = value;
                    break;
                case Kind.Delete when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(1 + (value % 16), bytes.Count - at));
                    break;
                case Kind.Insert:
                    bytes.InsertRange(at, Enumerable.Repeat(value, 1 + (where % 4)));
                    break;
                case Kind.Truncate:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case Kind.Duplicate when bytes.Count > 0:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(1 + value, bytes.Count - at)));
                    break;
            }
        }

        return [.. bytes];
    }
}
