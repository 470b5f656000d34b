namespace Roost.Cli.Commands;

/// <summary>Every message of <c>roost run</c> (tests assert them). Paths are quoted as the user gave them.</summary>
internal static class RunErrorMessages
{
    public static string AppMissing(string path) =>
        $"App '{path}' (argument <app>) does not exist. Give the app's entry .dll, its publish folder, or its project folder; relative paths are resolved against the working directory.";

    public static string NotADll(string path) =>
        $"App '{path}' (argument <app>) is not a .dll. Give the app's entry .dll (e.g. bin/Release/net10.0/publish/MyApp.dll), its publish folder, or its project folder.";

    public static string NoRuntimeConfig(string path, string runtimeConfig) =>
        $"App '{path}' has no '{runtimeConfig}' next to it: it is a library, not an app's entry assembly. Give the .dll that 'dotnet publish' made for the app (the one with a .runtimeconfig.json).";

    public static string RuntimeConfigInvalid(string runtimeConfig, string reason) =>
        $"Cannot read '{runtimeConfig}': {reason}. Publish the app again (dotnet publish -c Release).";

    public static string NotAspNetCore(string path, string frameworks) =>
        $"App '{path}' is not an ASP.NET Core app: its runtimeconfig.json references {frameworks}, not Microsoft.AspNetCore.App. roost run serves ASP.NET Core apps (WebApplication, or a host with Kestrel); run other programs with dotnet.";

    public static string SelfContained(string path) =>
        $"App '{path}' is self-contained; roost run starts apps on the shared runtime ('dotnet app.dll', with the startup hook). Publish it framework-dependent: dotnet publish -c Release --self-contained false.";

    public static string SeveralApps(string folder, string apps) =>
        $"Folder '{folder}' holds several apps ({apps}). Give the .dll to run, e.g. roost run '{folder}/<App>.dll'.";

    public static string NoApp(string folder) =>
        $"Folder '{folder}' holds no app (no *.runtimeconfig.json) and no project (*.csproj). Give the app's publish folder, its entry .dll, or its project folder.";

    public static string AppDllMissing(string folder, string runtimeConfig, string dll) =>
        $"Folder '{folder}' holds '{runtimeConfig}' but not the app it belongs to: '{dll}' is missing. Copy the whole publish output again (dotnet publish -c Release), or give the path of the app's .dll.";

    public static string ProjectNotBuilt(string folder) =>
        $"Project folder '{folder}' is not built: no app under its bin/ folder. roost run does not build; run 'dotnet publish \"{folder}\" -c Release' first, then 'roost run \"{folder}\"' (or the publish folder it prints).";

    public static string HookMissing(string path) =>
        $"The Roost startup hook '{path}' is missing, so workers could not be set up. Reinstall roost (the hook ships next to roost.dll, or in the hook/ folder beside a native roost).";

    public static string StateInvalid(string value) =>
        $"--state must be sqlite:FOLDER or redis://host:port; got '{value}'.";

    public static string StateUnavailable(string value, string reason) =>
        $"The shared state store '{value}' (option --state) cannot be used: {reason}";
}
