using Roost.Cli.Files;

namespace Roost.Cli.Tests;

/// <summary>What <c>roost serve --root</c> lets out of its folder: real files and links, no dotfiles, no link out.</summary>
public sealed class RootedFileProviderTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("roost-rooted-").FullName;

    public RootedFileProviderTests()
    {
        Directory.CreateDirectory(Site("docs"));
        Directory.CreateDirectory(Site(".git"));
        Directory.CreateDirectory(Site(".well-known"));
        File.WriteAllText(Path.Combine(_workspace, "outside.txt"), "secret");
        File.WriteAllText(Site("index.html"), "<h1>home</h1>");
        File.WriteAllText(Site("docs/a.txt"), "a");
        File.WriteAllText(Site(".env"), "secret");
        File.WriteAllText(Site(".git/config"), "secret");
        File.WriteAllText(Site(".well-known/security.txt"), "contact");
        File.CreateSymbolicLink(Site("home.html"), "index.html");
        File.CreateSymbolicLink(Site("out.txt"), Path.Combine(_workspace, "outside.txt"));
        File.CreateSymbolicLink(Site("up"), "..");
        File.CreateSymbolicLink(Site("env"), ".env");
        File.CreateSymbolicLink(Site("loop1"), "loop2");
        File.CreateSymbolicLink(Site("loop2"), "loop1");
    }

    [Theory]
    [InlineData("/index.html", 13)]
    [InlineData("/docs/a.txt", 1)]
    [InlineData("/.well-known/security.txt", 7)]
    [InlineData("/home.html", 13)] // a link inside the root: the target's length, not the link text's
    public void GetFileInfo_FileInsideRoot_Exists(string path, long length)
    {
        var file = new RootedFileProvider(Root()).GetFileInfo(path);

        Assert.True(file.Exists);
        Assert.Equal(length, file.Length);
    }

    [Theory]
    [InlineData("/.env")]
    [InlineData("/.git/config")]
    [InlineData("/env")] // a link to a dotfile
    [InlineData("/out.txt")] // a link leading out
    [InlineData("/up/outside.txt")] // a link to ..
    [InlineData("/../outside.txt")]
    [InlineData("/loop1")]
    public void GetFileInfo_OutsideRootOrDotfile_IsNotFound(string path)
    {
        Assert.False(new RootedFileProvider(Root()).GetFileInfo(path).Exists);
    }

    [Fact]
    public void GetDirectoryContents_LinkToParent_IsNotFound()
    {
        var files = new RootedFileProvider(Root());

        Assert.True(files.GetDirectoryContents("/docs/").Exists);
        Assert.False(files.GetDirectoryContents("/up/").Exists);
        Assert.False(files.GetDirectoryContents("/.git/").Exists);
    }

    [Fact]
    public void ResolveLinks_LinkLoop_ReturnsNull()
    {
        Assert.Null(RootedFileProvider.ResolveLinks(Site("loop1")));
        Assert.Equal(Path.Combine(Root(), "index.html"), RootedFileProvider.ResolveLinks(Site("home.html")));
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private string Site(string name) => Path.Combine(_workspace, "site", name);

    private string Root() => RootedFileProvider.ResolveLinks(Path.Combine(_workspace, "site"))!;
}
