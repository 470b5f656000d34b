using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// One <c>roost serve --workers 0 --root site</c> process for <see cref="ServeStaticFilesTests"/>, on a free port with a
/// test chain, over a folder built for the tests: files, an index, dotfiles, links inside and out of the root, and
/// a secret next to (outside) the root that no request may reach.
/// </summary>
public sealed class StaticSiteServer : IAsyncLifetime
{
    /// <summary>The text of the file outside the root; no answer may contain it.</summary>
    public const string Secret = "outside-the-root-secret";

    private TestProcess? _roost;

    public TestChain Chain { get; } = TestCertificates.CreateChain();

    public TempDirectory Workspace { get; } = new("roost-static");

    public string Site => Workspace.File("site");

    public int Port { get; private set; }

    /// <summary>100 KB of random bytes at /static/100k.bin (the benchmark's file shape).</summary>
    public byte[] Blob { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100 * 1024);

    public TestProcess Roost => _roost ?? throw new InvalidOperationException("Not started.");

    public string Url(string path) => $"https://localhost:{Port.ToString(CultureInfo.InvariantCulture)}{path}";

    public async ValueTask InitializeAsync()
    {
        Put("outside.txt", Secret);
        Put("site/index.html", "<h1>home</h1>\n");
        Put("site/docs/index.html", "<h1>docs</h1>\n");
        Put("site/empty/readme.md", "# no index here\n");
        Put("site/static/100k.bin", Blob);
        Put("site/style.css", "body{color:#333}\n");
        Put("site/data.unknownext", "opaque");
        Put("site/.env", Secret);
        Put("site/.git/config", Secret);
        Put("site/.well-known/security.txt", "Contact: mailto:security@localhost\n");
        Put("site/real/inside.txt", "inside\n");
        File.CreateSymbolicLink(Path.Combine(Site, "alias.css"), "style.css");
        File.CreateSymbolicLink(Path.Combine(Site, "linked"), "real");
        File.CreateSymbolicLink(Path.Combine(Site, "leak.txt"), Workspace.File("outside.txt"));
        File.CreateSymbolicLink(Path.Combine(Site, "up"), "..");
        File.CreateSymbolicLink(Path.Combine(Site, "visible"), ".env");

        Port = FreePort.Get();
        _roost = RoostCli.Start(
            ["serve", "--workers", "0", "--root", "site", "--port", Port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", Chain.LeafPath, "--key", Chain.KeyPath, "--ca", Chain.IntermediatePath],
            workingDirectory: Workspace.Path, name: "roost");
        await _roost.WaitForLineAsync("Roost is serving", TimeSpan.FromSeconds(60));
    }

    private void Put(string name, string text) => Put(name, System.Text.Encoding.UTF8.GetBytes(text));

    private void Put(string name, byte[] bytes)
    {
        var path = Workspace.File(name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (_roost is not null)
        {
            await _roost.DisposeAsync();
        }

        Chain.Dispose();
        Workspace.Dispose();
    }
}
