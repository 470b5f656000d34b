namespace Roost.Cli.Configuration;

/// <summary>The commands a setting applies to.</summary>
[Flags]
internal enum SettingScope
{
    /// <summary><c>roost serve</c>.</summary>
    Serve = 1,

    /// <summary><c>roost run</c>.</summary>
    Run = 2,

    /// <summary>Both commands.</summary>
    Both = Serve | Run,
}
