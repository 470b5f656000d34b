using Roost.Cli;
using Roost.Cli.Commands;
using Roost.StartupHook;
using Roost.StartupHook.Internal;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary><c>roost run</c> in process: finding the app (and every way it can be wrong), --state, parsing, the worker command.</summary>
public sealed class RunCommandTests
{
    private const string AspNetCoreConfig = """{ "runtimeOptions": { "tfm": "net10.0", "frameworks": [ { "name": "Microsoft.NETCore.App", "version": "10.0.0" }, { "name": "Microsoft.AspNetCore.App", "version": "10.0.0" } ] } }""";

    [Fact]
    public void Resolve_Dll_UsesItsFolderAsWorkingDirectory()
    {
        using var temp = new TempDirectory();
        var dll = WriteApp(temp.Path, "Shop", AspNetCoreConfig);

        var app = RunApp.Resolve(dll);

        Assert.Equal(dll, app.Dll);
        Assert.Equal(temp.Path, app.Folder);
    }

    [Fact]
    public void Resolve_PublishFolderWithOneApp_FindsIt()
    {
        using var temp = new TempDirectory();
        var dll = WriteApp(temp.Path, "Shop", AspNetCoreConfig);
        temp.Write("Library.dll", [0]);

        Assert.Equal(dll, RunApp.Resolve(temp.Path).Dll);
    }

    [Fact]
    public void Resolve_ProjectFolder_PrefersPublishOutput()
    {
        using var temp = new TempDirectory();
        temp.Write("Shop.csproj", "<Project />");
        WriteApp(Directory.CreateDirectory(Path.Combine(temp.Path, "bin", "Release", "net10.0")).FullName, "Shop", AspNetCoreConfig);
        var published = WriteApp(Directory.CreateDirectory(Path.Combine(temp.Path, "bin", "Release", "net10.0", "publish")).FullName, "Shop", AspNetCoreConfig);

        var app = RunApp.Resolve(temp.Path);

        Assert.Equal(published, app.Dll);
        Assert.Equal(Path.GetDirectoryName(published), app.Folder);
    }

    // Issue 13, item 9: a publish folder whose app .dll was deleted named the runtimeconfig.json as missing.
    [Fact]
    public void Resolve_PublishFolderWithoutTheAppDll_NamesTheMissingDll()
    {
        using var temp = new TempDirectory();
        var dll = WriteApp(temp.Path, "Shop", AspNetCoreConfig);
        File.Delete(dll);
        temp.Write("Library.dll", [0]);

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(temp.Path));

        Assert.Equal(
            $"Folder '{temp.Path}' holds 'Shop.runtimeconfig.json' but not the app it belongs to: '{dll}' is missing. Copy the whole publish output again (dotnet publish -c Release), or give the path of the app's .dll.",
            ex.Message);
    }

    [Fact]
    public void Resolve_ProjectFolderNotBuilt_SaysWhichPublishToRun()
    {
        using var temp = new TempDirectory();
        temp.Write("Shop.csproj", "<Project />");

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(temp.Path));

        Assert.Equal(RunErrorMessages.ProjectNotBuilt(temp.Path), ex.Message);
        Assert.Contains($"dotnet publish \"{temp.Path}\" -c Release", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Missing_NamesThePathAsGiven()
    {
        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve("nowhere/Shop.dll"));

        Assert.Equal(RunErrorMessages.AppMissing("nowhere/Shop.dll"), ex.Message);
    }

    [Fact]
    public void Resolve_ConsoleApp_IsNotAnAspNetCoreApp()
    {
        using var temp = new TempDirectory();
        var dll = WriteApp(temp.Path, "Tool", """{ "runtimeOptions": { "framework": { "name": "Microsoft.NETCore.App", "version": "10.0.0" } } }""");

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(dll));

        Assert.Equal(RunErrorMessages.NotAspNetCore(dll, "'Microsoft.NETCore.App'"), ex.Message);
    }

    [Fact]
    public void Resolve_LibraryWithoutRuntimeConfig_SaysSo()
    {
        using var temp = new TempDirectory();
        var dll = temp.Write("Library.dll", [0]);

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(dll));

        Assert.Equal(RunErrorMessages.NoRuntimeConfig(dll, "Library.runtimeconfig.json"), ex.Message);
    }

    [Fact]
    public void Resolve_SelfContained_AsksForFrameworkDependent()
    {
        using var temp = new TempDirectory();
        var dll = WriteApp(temp.Path, "Shop", """{ "runtimeOptions": { "includedFrameworks": [ { "name": "Microsoft.AspNetCore.App", "version": "10.0.0" } ] } }""");

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(dll));

        Assert.Equal(RunErrorMessages.SelfContained(dll), ex.Message);
    }

    [Fact]
    public void Resolve_FolderWithTwoApps_AsksWhichOne()
    {
        using var temp = new TempDirectory();
        WriteApp(temp.Path, "Api", AspNetCoreConfig);
        WriteApp(temp.Path, "Web", AspNetCoreConfig);

        var ex = Assert.Throws<RunAppException>(() => RunApp.Resolve(temp.Path));

        Assert.Equal(RunErrorMessages.SeveralApps(temp.Path, "Api.dll, Web.dll"), ex.Message);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6379")]
    [InlineData("rediss://:secret@127.0.0.1:6380")]
    public void StateOption_Redis_SetsRedis(string value) => Assert.Equal(value, StateOption.Parse(value).Redis);

    [Fact]
    public void StateOption_Sqlite_ResolvesTheFolder()
    {
        var options = StateOption.Parse("sqlite:state");

        Assert.Null(options.Redis);
        Assert.Equal(Path.GetFullPath("state"), options.Directory);
    }

    [Theory]
    [InlineData("memcached://x")]
    [InlineData("sqlite:")]
    [InlineData("redis://")]
    public void StateOption_Invalid_NamesOptionAndValue(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => StateOption.Parse(value));

        Assert.StartsWith(RunErrorMessages.StateInvalid(value), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Run_AcceptsServeFlagsAndState()
    {
        var parse = Program.BuildCommand().Parse(["run", "app.dll", "--workers", "2", "--port", "0", "--host", "127.0.0.1", "--state", "sqlite:s", "--cert", "a.pem", "--key", "a.key", "--boot-timeout", "5"]);

        Assert.Empty(parse.Errors);
    }

    // Verifies: the hook is found next to roost.dll (JIT build), else in hook/ beside a native roost; when neither
    // exists the JIT path is returned for the error message.
    [Fact]
    public void FindHook_BesideRoostDllFirst_ThenTheNativeHookFolder()
    {
        using var temp = new Roost.Testing.TempDirectory("roost-hook");
        var beside = Path.Combine(temp.Path, RunCluster.HookFileName);
        var native = Path.Combine(temp.Path, RunCluster.NativeHookFolder, RunCluster.HookFileName);

        Assert.Equal(beside, RunCluster.FindHook(temp.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(native)!);
        File.WriteAllBytes(native, []);
        Assert.Equal(native, RunCluster.FindHook(temp.Path));
        File.WriteAllBytes(beside, []);
        Assert.Equal(beside, RunCluster.FindHook(temp.Path));
    }

    [Fact]
    public void WorkerStartInfo_RunsDotnetAppInTheAppFolderWithTheHook()
    {
        var app = new RunApp("/srv/shop/Shop.dll", "/srv/shop");
        var config = new RunWorkerConfig { Cert = "/c.pem", Key = "/c.key", StateDirectory = "/s" }.ToJson();

        var info = RunCluster.WorkerStartInfo("/usr/bin/dotnet", app, "/opt/roost/Roost.StartupHook.dll", config);

        Assert.Equal("/usr/bin/dotnet", info.FileName);
        Assert.Equal(["/srv/shop/Shop.dll"], info.ArgumentList);
        Assert.Equal("/srv/shop", info.WorkingDirectory);
        Assert.Equal("/opt/roost/Roost.StartupHook.dll", info.Environment["DOTNET_STARTUP_HOOKS"]);
        var roundTrip = RunWorkerConfig.Parse(info.Environment["ROOST_RUN_CONFIG"]!);
        Assert.Equal("/c.pem", roundTrip.Cert);
        Assert.Equal("/s", roundTrip.StateDirectory);
        Assert.True(roundTrip.HasState);
    }

    [Fact]
    public void StartupHooks_OtherHooksStay_OursIsAddedLastAndRemovedAgain()
    {
        var withOurs = RunWorkerConfig.WithHook("/opt/apm/Agent.dll", "/opt/roost/Roost.StartupHook.dll");

        Assert.Equal("/opt/apm/Agent.dll:/opt/roost/Roost.StartupHook.dll", withOurs);
        Assert.Equal("/opt/apm/Agent.dll", RunWorkerConfig.WithoutHook(withOurs, "/opt/roost/Roost.StartupHook.dll"));
        Assert.Null(RunWorkerConfig.WithoutHook("/opt/roost/Roost.StartupHook.dll", "/opt/roost/Roost.StartupHook.dll"));
        Assert.Equal("/opt/roost/Roost.StartupHook.dll", RunWorkerConfig.WithHook(null, "/opt/roost/Roost.StartupHook.dll"));
    }

    // Verifies: the hook finds its own path in DOTNET_STARTUP_HOOKS (our rooted entry, after an APM agent's), so it
    // needs no Assembly.Location; a hook named without a path, or none, gives null.
    [Fact]
    public void FindHook_OurRootedEntryOfStartupHooks()
    {
        Assert.Equal("/opt/roost/hook/Roost.StartupHook.dll",
            HookAssemblyResolver.FindHook("/opt/apm/Agent.dll:/opt/roost/hook/Roost.StartupHook.dll", "Roost.StartupHook.dll"));
        Assert.Null(HookAssemblyResolver.FindHook("Roost.StartupHook", "Roost.StartupHook.dll"));
        Assert.Null(HookAssemblyResolver.FindHook(null, "Roost.StartupHook.dll"));
    }

    private static string WriteApp(string folder, string name, string runtimeConfig)
    {
        File.WriteAllText(Path.Combine(folder, name + ".runtimeconfig.json"), runtimeConfig);
        var dll = Path.Combine(folder, name + ".dll");
        File.WriteAllBytes(dll, [0]);
        return dll;
    }
}
