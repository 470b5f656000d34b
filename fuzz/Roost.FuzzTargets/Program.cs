using Roost.FuzzTargets;
using SharpFuzz;

// Roost.FuzzTargets <target>                       one input from stdin (under afl-fuzz: its fork server loop)
// Roost.FuzzTargets <target> --replay <path>...    every file (or every file in every folder) given; exit 1 on a failure
// Roost.FuzzTargets --list                         the targets
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Roost.FuzzTargets <target> [--replay <file-or-folder>...] | --list");
    return args.Length == 0 ? 2 : 0;
}

if (args[0] == "--list")
{
    foreach (var each in FuzzTarget.All)
    {
        Console.WriteLine($"{each.Name,-12} {each.Description}");
    }

    return 0;
}

if (FuzzTarget.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"error: no fuzz target '{args[0]}'; the targets are {string.Join(", ", FuzzTarget.All.Select(t => t.Name))}.");
    return 2;
}

if (args.Length > 1 && args[1] == "--replay")
{
    return Replay.Run(target, args[2..]);
}

// afl-fuzz: the input arrives on stdin each round; an exception that escapes is reported to afl-fuzz as a crash.
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
