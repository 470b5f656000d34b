using System.Text;
using CsCheck;

namespace Roost.Fuzz.Tests;

/// <summary>
/// How every property here runs: a fixed number of iterations on one thread (the machine is shared), so a run takes
/// a bounded time. A failure throws CsCheck's exception, which shows the shrunk input and the seed that replays it
/// (pass it as <c>seed</c>, or set the environment variable <c>CsCheck_Seed</c>).
/// </summary>
internal static class Property
{
    public static void Check<T>(Gen<T> gen, Action<T> assert, int iterations, string? seed = null) =>
        gen.Sample(assert, seed: seed, iter: iterations, threads: 1, print: Print);

    /// <summary>Byte inputs are shown whole (base64, and as text), so a failure can be committed as a regression file.</summary>
    private static string Print<T>(T value) => value switch
    {
        byte[] bytes => $"{bytes.Length} bytes, base64 {Convert.ToBase64String(bytes)}, as UTF-8: {Encoding.UTF8.GetString(bytes)}",
        _ => CsCheck.Check.Print(value),
    };
}
