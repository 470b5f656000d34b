using Roost.FuzzTargets;
using Roost.Testing;

namespace Roost.Fuzz.Tests;

/// <summary>
/// Every committed fuzz input runs through its target in the normal test run: the seed corpus (valid inputs, which
/// must pass) and every input the coverage-guided fuzzer ever crashed on (fuzz/regressions), which must now pass too.
/// </summary>
public sealed class FuzzInputReplayTests
{
    public static TheoryData<string, string> Inputs()
    {
        TheoryData<string, string> data = [];
        foreach (var target in FuzzTarget.All)
        {
            foreach (var folder in new[] { FuzzFiles.Corpus(target.Name), FuzzFiles.Regressions(target.Name) })
            {
                foreach (var file in FuzzFiles.Files(folder))
                {
                    data.Add(target.Name, Path.GetRelativePath(RepoPaths.Combine("fuzz"), file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CommittedInput_PassesItsTarget(string target, string file)
    {
        var input = File.ReadAllBytes(RepoPaths.Combine("fuzz", file));
        FuzzTarget.Find(target)!.Run(input);
    }

    [Fact]
    public void EveryTarget_HasASeedCorpus()
    {
        foreach (var target in FuzzTarget.All)
        {
            Assert.True(FuzzFiles.Files(FuzzFiles.Corpus(target.Name)).Count() >= 3, $"fuzz/corpus/{target.Name} holds fewer than 3 seeds");
        }
    }
}
