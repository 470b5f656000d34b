using System.Text;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// The check of "Installed from outside the repository": a new console project in a temporary folder, Roost.Server
/// added from the packed folder only, the seed's HTTPS program as Program.cs, built, run, and fetched with curl
/// trusting only the test root (so the intermediate the server sends is what makes the chain verify).
/// </summary>
public sealed class InstallFromOutsideTests(PackagesFixture packages)
{
    private const string SeedBody = "<h1>hello Node</h1><p>hello server!</p>";

    [Fact]
    public async Task SeedHttpsProgramOnTheRoostServerPackageServesTheSeedBodyWithTheChainVerified()
    {
        ExternalTool.Require("curl", "curl");
        using var project = await ConsumerProject.CreateAsync(packages.Folder, "SeedHttps");
        await project.AddPackageAsync("Roost.Server", packages.Version);
        project.AssertRestoredFrom("Roost.Server", packages.Version, packages.PackagePath("Roost.Server"));

        // The seed's program exactly as the repository's faithful port has it (it reads ./ssl/... and PORT).
        File.Copy(RepoPaths.Combine("samples", "Seed.Https", "Program.cs"), Path.Combine(project.Folder, "Program.cs"), overwrite: true);
        using var chain = TestCertificates.CreateChain();
        var ssl = Directory.CreateDirectory(Path.Combine(project.Folder, "ssl")).FullName;
        File.Copy(chain.LeafPath, Path.Combine(ssl, "edasan.goe.go.kr.cer"));
        File.Copy(chain.KeyPath, Path.Combine(ssl, "edasan.goe.go.kr.key"));
        File.Copy(chain.RootPath, Path.Combine(ssl, "new_rootca.cer"));
        File.Copy(chain.IntermediatePath, Path.Combine(ssl, "new_caChain_change.cer"));

        var dll = await project.BuildAsync();
        var port = FreePort.Get();
        await using var server = TestProcess.StartDotnet(dll, [], project.Folder,
            new Dictionary<string, string?> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await server.WaitForLineAsync($"{port}포트 대기중", TimeSpan.FromSeconds(60));

        var response = await Curl.GetAsync($"https://localhost:{port}/", chain.RootPath);

        Assert.Equal(SeedBody, Encoding.UTF8.GetString(response.Body));
        Assert.Equal(Encoding.UTF8.GetBytes(SeedBody), response.Body);
    }
}
